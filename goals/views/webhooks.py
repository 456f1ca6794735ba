"""A product's integrations page: its hooks, adding one (a standard hook's secret shown
once), and each hook's page with its settings, a test message and the delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from goals import access
from goals.errors import Conflict, DomainError
from goals.forms.webhooks import WebhookEditForm, WebhookForm
from goals.models import Product, Webhook
from goals.rules.webhooks import EVENTS
from goals.selectors.webhooks import delivery_log, hooks_of
from goals.services.deliveries import delivery_send_now
from goals.services.webhooks import webhook_create, webhook_delete, webhook_ping, webhook_update
from goals.views.common import AuthedRequest, page, stale_form

MANAGE = "manage this product's hooks"
LOG_SHOWN = 20
# The secret of the hook just added, kept in the session from the form's redirect to the
# next page only, which takes it out: shown once (as API tokens are).
NEW_SECRET = "goals_new_webhook_secret"


@page
def integrations(request: AuthedRequest, pk: int) -> HttpResponse:
    product = access.get_product(request.user, pk)
    access.require_role(product, (access.Role.LEADER,), MANAGE)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            hook, secret = webhook_create(actor=request.user, product=product, **form.cleaned_data)
        except DomainError as error:
            form.show_errors(error)
        else:
            if secret:
                request.session[NEW_SECRET] = secret
            messages.success(request, f"Added the {hook.get_kind_display()} hook.")
            return redirect("product-integrations", product.pk)
    return _render_integrations(request, product, form)


def _render_integrations(
    request: AuthedRequest, product: Product, form: WebhookForm
) -> HttpResponse:
    context = {
        "product": product,
        "organization": product.organization,
        "hooks": hooks_of(product),
        "event_count": len(EVENTS),
        "form": form,
        "secret": request.session.pop(NEW_SECRET, None) if not form.is_bound else None,
    }
    return render(request, "goals/integrations.html", context, status=400 if form.is_bound else 200)


@page
def webhook(request: AuthedRequest, pk: int) -> HttpResponse:
    hook = _hook(request, pk)
    initial = {
        "url": hook.url,
        "events": hook.events,
        "active": hook.active,
        "version": hook.version,
    }
    form = WebhookEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        version = values.pop("version")
        try:
            webhook_update(webhook=hook, version=version, values=values)
        except Conflict as error:
            hook.refresh_from_db()
            form = stale_form(WebhookEditForm, request.POST, hook.version, error)
        except DomainError as error:
            form.show_errors(error)
        else:
            messages.success(request, "Saved the hook.")
            return redirect("webhook", hook.pk)
    return _render_hook(request, hook, form)


def _render_hook(request: AuthedRequest, hook: Webhook, form: WebhookEditForm) -> HttpResponse:
    context = {
        "hook": hook,
        "product": hook.product,
        "organization": hook.product.organization,
        "form": form,
        "attempts": delivery_log(hook)[:LOG_SHOWN],
    }
    return render(request, "goals/webhook.html", context, status=400 if form.is_bound else 200)


@page
@require_POST
def webhook_test(request: AuthedRequest, pk: int) -> HttpResponse:
    hook = _hook(request, pk)
    attempt = delivery_send_now(delivery=webhook_ping(webhook=hook))
    if attempt.ok:
        messages.success(request, f"The test message was delivered ({attempt.response_code}).")
    else:
        messages.error(request, f"The test message was not delivered. {attempt.error}")
    return redirect("webhook", hook.pk)


@page
@require_POST
def webhook_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    hook = _hook(request, pk)
    product_id = hook.product_id
    webhook_delete(webhook=hook)
    messages.success(request, "Removed the hook: nothing more is sent to it.")
    return redirect("product-integrations", product_id)


def _hook(request: AuthedRequest, pk: int) -> Webhook:
    hook = access.get_webhook(request.user, pk)
    access.require_role(hook, (access.Role.LEADER,), MANAGE)
    return hook
