"""Export a whole product as JSON, CSV or Markdown; import a JSON export as a new product."""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from goalchain import parsers
from goalchain.renderers import JSONRenderer
from goals import access, exchange
from goals.api.common import AuthedRequest, parse
from goals.api.serializers.common import id_field
from goals.api.serializers.organizations import ProductSerializer
from goals.errors import DomainError, NotFound

FORMATS = ("json", "csv", "markdown")


class _TextRenderer(BaseRenderer):
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return data.encode()


class CSVRenderer(_TextRenderer):
    media_type = "text/csv"
    format = "csv"


class MarkdownRenderer(_TextRenderer):
    media_type = "text/markdown"
    format = "markdown"


class ProductExport(APIView):
    renderer_classes = [JSONRenderer, CSVRenderer, MarkdownRenderer]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        if not force and request.query_params.get("format", "json") not in FORMATS:
            raise serializers.ValidationError({"format": [f"Choose one of: {', '.join(FORMATS)}."]})
        return super().perform_content_negotiation(request, force)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        # Errors and the OPTIONS description go out as JSON, labelled as such, whatever format
        # was asked for: only an export's own text is CSV or Markdown.
        if not isinstance(getattr(response, "data", None), str | None):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format", str, enum=FORMATS, description="json (default), csv, markdown"
            )
        ],
        responses={
            (200, "application/json"): dict,
            (200, "text/csv"): str,
            (200, "text/markdown"): str,
        },
    )
    def get(self, request: AuthedRequest, pk: int) -> Response:
        product = access.get_product(request.user, pk)
        document = exchange.export_document(product)
        kind = request.accepted_renderer.format
        body: Any = document
        if kind == "csv":
            body = exchange.export_csv(document)
        elif kind == "markdown":
            body = exchange.export_markdown(document)
        extension = "md" if kind == "markdown" else kind
        slug = re.sub(r"[^a-z0-9]+", "-", product.name.lower()).strip("-") or "product"
        return Response(
            body,
            headers={"Content-Disposition": f'attachment; filename="{slug}.{extension}"'},
        )


class ImportInput(serializers.Serializer):
    organization = id_field()
    document = serializers.JSONField(help_text="A JSON export (the object, or its text).")
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The new product's name; by default the exported name followed by "
        "“(imported)”. No two products of an organisation share a name.",
    )


class ProductImport(APIView):
    @extend_schema(
        request=ImportInput,
        responses={
            201: inline_serializer(
                "ImportedProduct",
                fields={
                    "product": ProductSerializer(),
                    "unmatched_people": serializers.ListField(
                        child=serializers.EmailField(),
                        help_text="People of the document who are not in the organisation: "
                        "their goals and key results went to you.",
                    ),
                },
            )
        },
    )
    def post(self, request: AuthedRequest) -> Response:
        data = parse(ImportInput, request)
        try:
            organization = access.get_organization(request.user, data["organization"])
        except NotFound:
            raise DomainError({"organization": ["Unknown organisation."]}) from None
        access.require_org_admin(organization)
        document = data["document"]
        if isinstance(document, str):
            try:
                document = parsers.loads(document)
            except parsers.TooDeep as error:
                raise DomainError({"document": [str(error)]}) from None
            except ValueError:
                raise DomainError({"document": ["This is not JSON."]}) from None
        imported = exchange.import_document(
            actor=request.user,
            organization=organization,
            document=document,
            name=data.get("name", ""),
        )
        product = access.get_product(request.user, imported.product.pk)
        return Response(
            {
                "product": ProductSerializer(product).data,
                "unmatched_people": imported.unmatched_people,
            },
            status=201,
        )
