"""Password reset by email, asked for without telling whether an account exists.

The page only checks the address typed and its limits, then queues a task with the address
(goals.tasks.send_password_reset_email): the account is looked up in the task, so the page
does the same work, in the same time, for an address with an account and one without. Three
limits, each over an hour, counted in the cache: per address typed and per client address in
the page, per account in the task (whatever case or spelling led to it)."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.limits import counted_over
from accounts.policy import password_sign_in_refusal
from goalchain.queue import enqueue
from goals.emails import send_templated_email
from goals.models import User

TOO_MANY_FOR_EMAIL = (
    "A reset link was asked for this email several times in the last hour. Check your inbox "
    "and spam folder, or wait an hour and try again."
)
TOO_MANY_FROM_ADDRESS = (
    "Too many reset links were asked for from your network in the last hour. "
    "Wait a while, then try again later."
)


def _digest(text: str) -> str:
    """Cache keys name no email or address in clear, and stay short whatever was typed."""
    return hashlib.sha256(text.encode()).hexdigest()


def password_reset_request(*, email: str, client_address: str) -> str | None:
    """Queue the reset email for `email`, or say why not (a limit reached). Never looks the
    account up: that is the task's job."""
    email = email.strip().lower()
    over_email = counted_over(
        f"password-reset:email:{_digest(email)}", settings.PASSWORD_RESET_PER_EMAIL
    )
    over_address = counted_over(
        f"password-reset:address:{_digest(client_address)}", settings.PASSWORD_RESET_PER_ADDRESS
    )
    if over_address:
        return TOO_MANY_FROM_ADDRESS
    if over_email:
        return TOO_MANY_FOR_EMAIL
    enqueue("goals.tasks.send_password_reset_email", email)
    return None


def send_reset_link(*, email: str) -> None:
    """Mail Django's reset link to the account of `email`, if it may reset its password: an
    active account with a password, outside SSO-only organisations, under its hourly limit."""
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    if password_sign_in_refusal(user) is not None:
        return
    if counted_over(f"password-reset:account:{user.pk}", settings.PASSWORD_RESET_PER_ACCOUNT):
        return
    site = urlsplit(settings.SITE_URL)
    send_templated_email(
        to=user.email,
        template="password_reset",
        context={
            "email": user.email,
            "user": user,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
            "protocol": site.scheme,
            "domain": site.netloc + site.path,
        },
    )
