"""Writes to invitations: made or renewed, mailed once, accepted, declined or withdrawn."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from goalchain.queue import enqueue
from goals.emails import send_templated_email
from goals.errors import Conflict, DomainError
from goals.models import (
    Invitation,
    Organization,
    OrganizationMembership,
    OrgRole,
    Product,
    ProductMembership,
    User,
)


def invite(
    *,
    actor: User,
    organization: Organization,
    email: str,
    role: str = OrgRole.MEMBER,
    product: Product | None = None,
    product_role: str = "",
) -> Invitation:
    """Make or renew the pending invitation of `email` and queue its email."""
    with transaction.atomic():
        invitation, _ = Invitation.objects.update_or_create(
            organization=organization,
            product=product,
            email=email,
            accepted_at=None,
            declined_at=None,
            # Inviting again is asking for the email again.
            defaults={
                "role": role,
                "product_role": product_role,
                "invited_by": actor,
                "sent_at": None,
            },
        )
        enqueue("goals.tasks.send_invitation_email", invitation.pk)
    return invitation


def invitation_email_send(*, invitation_id: int) -> None:
    """Send the invitation once: the row is claimed, mailed and marked in one transaction.
    Someone with an account is asked to sign in and accept, someone without to join."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("organization", "product", "invited_by")
            .pending()
            .filter(pk=invitation_id, sent_at__isnull=True)
            .first()
        )
        if invitation is None:
            return
        send_templated_email(
            to=invitation.email,
            template="invitation",
            context={
                "invitation": invitation,
                "has_account": User.objects.filter(email__iexact=invitation.email).exists(),
                "path": reverse("invitation-accept", args=[invitation.token]),
            },
        )
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])


def invitation_accept(*, invitation: Invitation, password: str, display_name: str = "") -> User:
    """Create the invited person's account with their password and join.

    Only for an email without an account: one that has an account signs in first (password,
    second factor and all) and answers there, so an invitation link never stands in for them."""
    if invitation.accepted_at is not None or invitation.declined_at is not None:
        raise Conflict("This invitation was already answered. Sign in instead.")
    if invitation.organization.sso_only:
        raise DomainError(
            f"{invitation.organization.name} signs in with single sign-on only: join by "
            "signing in with single sign-on as the invited email."
        )
    try:
        validate_password(password, User(email=invitation.email, display_name=display_name))
    except ValidationError as error:
        raise DomainError({"password": list(error.messages)}) from None
    has_account = Conflict("You already have an account: sign in to answer this invitation.")
    try:
        with transaction.atomic():
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise has_account
            user = User.objects.create_user(
                email=invitation.email,
                password=password,
                display_name=display_name.strip(),
            )
            invitation_join(invitation=invitation, user=user)
    except IntegrityError:
        raise has_account from None
    return user


def _claim(invitation: Invitation, user: User) -> None:
    """Check that `user` is the invited email's account and lock the invitation while it is
    still pending, so that an accept and a decline or withdrawal at once cannot both win.
    Call inside the transaction that answers it."""
    if user.email.lower() != invitation.email.lower():
        raise DomainError("This invitation is for another email address.")
    if not Invitation.objects.select_for_update().pending().filter(pk=invitation.pk).exists():
        raise Conflict("This invitation was already answered or withdrawn.")


def invitation_decline(*, invitation: Invitation, user: User) -> None:
    """Say no to an invitation: it stays on record as declined and cannot be used any more."""
    with transaction.atomic():
        _claim(invitation, user)
        invitation.declined_at = timezone.now()
        invitation.save(update_fields=["declined_at"])


def invitation_withdraw(*, invitation: Invitation) -> None:
    """Take back an invitation nobody has answered: its link stops working."""
    with transaction.atomic():
        deleted, _ = Invitation.objects.pending().filter(pk=invitation.pk).delete()
    if not deleted:
        raise Conflict("This invitation was already answered or withdrawn.")


def invitation_join(*, invitation: Invitation, user: User) -> None:
    """Make `user` the member the invitation offered and mark it used, in one transaction.

    An organisation invitation gives its role; a product invitation gives its product role,
    but only while the person still belongs to the product's organisation (they may have been
    removed since they were invited). Only the invited email's account may use it, once."""
    with transaction.atomic():
        _claim(invitation, user)
        if invitation.product_id is None:
            OrganizationMembership.objects.get_or_create(
                organization_id=invitation.organization_id,
                user=user,
                defaults={"role": invitation.role},
            )
        else:
            if not OrganizationMembership.objects.filter(
                organization_id=invitation.organization_id, user=user
            ).exists():
                raise DomainError(
                    "You are no longer a member of this product's organisation, "
                    "so you cannot join the product. Ask its leader to invite you again."
                )
            ProductMembership.objects.get_or_create(
                product_id=invitation.product_id,
                user=user,
                defaults={"role": invitation.product_role},
            )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
