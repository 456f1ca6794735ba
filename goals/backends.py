"""Sign-in by email, and the signed-in user loaded with what every page asks of them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import requiring_organizations
from goals.models import Notification, User


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:  # type: ignore[override]
        """Read with the user, in the same query: the header's unread count, and for
        accounts.middleware whether they use two-factor and which organisation requires it."""
        unread = (
            Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
            .order_by()
            .values("recipient")
            .annotate(n=Count("pk"))
            .values("n")
        )
        user = (
            User.objects.annotate(
                unread_notifications=Coalesce(Subquery(unread), 0),
                two_factor_on=Exists(
                    TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
                ),
                two_factor_required_by=Subquery(
                    requiring_organizations(OuterRef("pk")).values("name")[:1]
                ),
            )
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
