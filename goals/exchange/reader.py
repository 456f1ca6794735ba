"""The document reader: an uploaded export checked from top to bottom before anything is made.

`Plan.read` checks every section against the chain's rules, reports each problem by its
place in the document (`goals[3].parents`) and raises them all at once; when all is well
it holds the parsed values, ready for the importer. The product, its members and its review
schedule are read here; goals and records by the section readers it is made of.
"""

from __future__ import annotations

from typing import Any

from django.db.models.functions import Lower

from goals.exchange.document import FORMAT, FORMAT_VERSION, PRODUCT_TEXTS
from goals.exchange.fields import read_list, read_object, read_text
from goals.exchange.reader_goals import GoalSections
from goals.exchange.reader_records import RecordSections
from goals.models import Cadence, Level, Organization, ProductRole, ReviewSchedule, User
from goals.rules.quality import LABELS
from goals.services.boards import MAX_LIVE_PRODUCT_GOALS_LIMIT


class Plan(GoalSections, RecordSections):
    """A document checked from top to bottom, its values parsed, ready to be written."""

    @classmethod
    def read(cls, document: Any) -> Plan:
        plan = cls()
        plan._read(document)
        plan.errors.raise_if_any()
        return plan

    def people(self, organization: Organization) -> dict[str, User]:
        """The document's people who belong to the organisation, by the document's email."""
        found = User.objects.annotate(email_lower=Lower("email")).filter(
            email_lower__in={email.lower() for email in self.emails},
            org_memberships__organization=organization,
        )
        by_lower = {user.email.lower(): user for user in found}
        return {e: by_lower[e.lower()] for e in self.emails if e.lower() in by_lower}

    def _read(self, document: Any) -> None:
        add = self.errors.add
        if not isinstance(document, dict):
            add("document", "Send the JSON object that an export gave (it starts with {).")
            return
        if document.get("format") != FORMAT:
            add("document.format", f"This is not a Goal Chain product export (format {FORMAT!r}).")
            return
        if document.get("format_version") != FORMAT_VERSION:
            add(
                "document.format_version",
                f"This installation reads version {FORMAT_VERSION} of the format.",
            )
            return
        product = read_object(document, "product", self.errors, "document")
        organization = read_object(document, "organization", self.errors, "document")
        if product is not None:
            self.product_name = read_text(
                product, "name", self.errors, "product", 200, required=True
            )
            self.portfolio_strategy = read_text(
                product, "portfolio_strategy", self.errors, "product", 20000
            )
            self._read_product_fields(product)
        if organization is not None:
            read_text(organization, "business_strategy", self.errors, "organization", 20000)
        for i, member in enumerate(read_list(document, "members", self.errors)):
            where = f"members[{i}]"
            if not isinstance(member, dict):
                add(where, "Each member is an object with email and role.")
                continue
            email = self._email(member, "email", where, required=True)
            if member.get("role") not in ProductRole.values:
                add(f"{where}.role", f"Choose one of: {', '.join(ProductRole.values)}.")
            elif email:
                self.roles[email] = member["role"]
        self._read_goals(read_list(document, "goals", self.errors))
        refs = self.refs = {row["ref"]: row for row in self.goals}
        self._read_key_results(read_list(document, "key_results", self.errors), refs)
        self._read_history(read_list(document, "history", self.errors, required=False), refs)
        self._read_decisions(read_list(document, "decisions", self.errors, required=False), refs)
        self._read_comments(read_list(document, "comments", self.errors, required=False), refs)
        self._read_review_schedule(document.get("review_schedule", {}))
        kr_refs = {row["ref"]: row for row in self.key_results}
        self._read_check_ins(read_list(document, "check_ins", self.errors, required=False), kr_refs)
        self._read_retrospectives(
            read_list(document, "retrospectives", self.errors, required=False), refs
        )
        self._read_insights(read_list(document, "insights", self.errors, required=False), refs)

    def _read_product_fields(self, product: dict[str, Any]) -> None:
        for name in PRODUCT_TEXTS:
            self.product_fields[name] = read_text(product, name, self.errors, "product", 20000)
        off = product.get("quality_rules_off", [])
        if not isinstance(off, list) or not all(isinstance(c, str) and c in LABELS for c in off):
            self.errors.add(
                "product.quality_rules_off", f"Name rules among: {', '.join(sorted(LABELS))}."
            )
        else:
            self.product_fields["quality_rules_off"] = off
        limit = product.get("max_live_product_goals", 5)
        top = MAX_LIVE_PRODUCT_GOALS_LIMIT
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= top:
            self.errors.add("product.max_live_product_goals", f"A whole number from 1 to {top}.")
        else:
            self.product_fields["max_live_product_goals"] = limit

    def _read_review_schedule(self, schedule: Any) -> None:
        if not isinstance(schedule, dict):
            self.errors.add("review_schedule", "The review schedule is an object.")
            return
        defaults = ReviewSchedule()
        for level in Level.values:
            cadence = schedule.get(level, defaults.cadence(level))
            if cadence not in Cadence.values:
                self.errors.add(
                    f"review_schedule.{level}", f"Choose one of: {', '.join(Cadence.values)}."
                )
            self.review_schedule[f"{level}_cadence"] = cadence
        for key, top in (("remind_days_before", 30), ("reminder_hour", 23)):
            value = schedule.get(key, getattr(defaults, key))
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top:
                self.errors.add(f"review_schedule.{key}", f"A whole number from 0 to {top}.")
            self.review_schedule[key] = value
