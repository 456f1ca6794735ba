"""Pages of values from data: a product's metric tokens (create, the secret shown once, revoke,
a worked example of a push), and a key result's data source on its edit page (save, fetch
now, remove)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from goals import access
from goals.errors import DomainError
from goals.forms.metrics import DataSourceForm, MetricTokenForm
from goals.models import KeyResult, MetricSource, Product
from goals.selectors.metrics import metric_tokens_of, push_targets
from goals.services import metric_sources, metrics
from goals.views.common import AuthedRequest, page
from goals.views.goals import key_result_page
from goals.wording import amount, plain_number

# The secret of the token just created, kept in the session from the form's redirect to the
# next page only (as for personal tokens, accounts/views_tokens.py): shown once.
NEW_SECRET = "goals_new_metric_token"
LEADERS = (access.Role.LEADER,)


@page
def metric_tokens(request: AuthedRequest, pk: int) -> HttpResponse:
    """The product's metric tokens and the form for a new one; after creating, its secret
    once; and how a script pushes a value with one."""
    product = access.get_product(request.user, pk)
    access.require_role(product, LEADERS, "manage metric tokens")
    form = MetricTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = metrics.metric_token_create(
                actor=request.user, product=product, name=form.cleaned_data["name"]
            )
        except DomainError as error:
            form.show_errors(error)
        else:
            request.session[NEW_SECRET] = {"product": product.pk, "secret": secret}
            messages.success(request, f"Created the metric token “{token.name}”.")
            return redirect("metric-tokens", product.pk)
    shown = None if form.is_bound else _new_secret(request, product)
    targets = list(push_targets(product))
    context = {
        "product": product,
        "organization": product.organization,
        "form": form,
        "secret": shown,
        "tokens": metric_tokens_of(product),
        "targets": targets,
        "example": curl_example(request, targets[0] if targets else None, shown),
    }
    status = 400 if form.is_bound else 200
    return render(request, "goals/metric_tokens.html", context, status=status)


@page
@require_POST
def metric_token_revoke(request: AuthedRequest, pk: int, token_id: int) -> HttpResponse:
    product = access.get_product(request.user, pk)
    access.require_role(product, LEADERS, "revoke metric tokens")
    token = get_object_or_404(product.metric_tokens, pk=token_id)
    metrics.metric_token_revoke(actor=request.user, token=token)
    messages.success(
        request, f"Revoked the metric token “{token.name}”: its pushes are refused from now on."
    )
    return redirect("metric-tokens", product.pk)


def _new_secret(request: AuthedRequest, product: Product) -> str | None:
    new = request.session.pop(NEW_SECRET, None)
    return new["secret"] if new and new.get("product") == product.pk else None


def curl_example(request: AuthedRequest, key_result: KeyResult | None, secret: str | None) -> str:
    """A push of a key result's value from a shell, with the new secret when there is one."""
    base = request.build_absolute_uri(reverse("api-key-results"))
    target = key_result.pk if key_result else "{id}"
    value = plain_number(key_result.current) if key_result else "1234.5"
    key = secret or f"{metrics.METRIC_SECRET_START}…"
    return (
        f"curl -X POST '{base}{target}/values/' \\\n"
        f"  -H 'Authorization: Token {key}' \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        f'  -d \'{{"value": {value}, "note": "From the nightly export"}}\''
    )


def _editable(request: AuthedRequest, pk: int) -> KeyResult:
    key_result = access.get_key_result(request.user, pk)
    access.require_role(key_result, access.EDITORS, "change data sources")
    return key_result


def _back(key_result: KeyResult) -> HttpResponse:
    return redirect(reverse("key-result-edit", args=[key_result.pk]) + "#data-source")


@page
@require_POST
def data_source_save(request: AuthedRequest, pk: int) -> HttpResponse:
    key_result = _editable(request, pk)
    form = DataSourceForm(request.POST)
    if form.is_valid():
        try:
            metric_sources.metric_source_set(key_result=key_result, settings=form.settings())
        except DomainError as error:
            form.show_errors(error)
        else:
            messages.success(request, f"Saved the data source of “{key_result.title}”.")
            return _back(key_result)
    return key_result_page(request, key_result, source_form=form, status=400)


@page
@require_POST
def data_source_fetch(request: AuthedRequest, pk: int) -> HttpResponse:
    """Read the key result's data source now, whether due or not."""
    key_result = _editable(request, pk)
    source = get_object_or_404(MetricSource, key_result=key_result)
    if not metric_sources.metric_source_fetch(source_id=source.pk, due_only=False):
        messages.info(request, "The data source is being read right now: reload in a moment.")
        return _back(key_result)
    source.refresh_from_db()
    key_result.refresh_from_db(fields=["current"])
    if source.last_error:
        messages.error(request, f"The data source could not be read: {source.last_error}")
    else:
        now = f"{amount(key_result.current)} {key_result.unit}".strip()
        messages.success(request, f"Read “{key_result.title}” from its data source: now {now}.")
    return _back(key_result)


@page
@require_POST
def data_source_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    key_result = _editable(request, pk)
    metric_sources.metric_source_set(key_result=key_result, settings=None)
    messages.success(
        request, f"Removed the data source of “{key_result.title}”: it is no longer read."
    )
    return _back(key_result)
