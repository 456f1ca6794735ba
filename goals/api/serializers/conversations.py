"""API shapes of comments, insights, watching, feedback rounds, notifications and the feed."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from goals.api.serializers.common import DateInWindowField, id_field
from goals.models import (
    COMMENT_MAX_LENGTH,
    MEASURE_DIGITS,
    MEASURE_PLACES,
    Comment,
    EmailFrequency,
    FeedbackAnswer,
    FeedbackRequest,
    Insight,
    InsightKind,
    Notification,
    NotificationKind,
)
from goals.selectors.activity_items import Activity
from goals.selectors.conversations import RoundView
from goals.wording import json_number


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    goal = serializers.IntegerField(read_only=True, allow_null=True)
    proposal = serializers.IntegerField(read_only=True, allow_null=True)
    parent = id_field(  # type: ignore[assignment]  # a field named like Field.parent
        required=False,
        allow_null=True,
        help_text="Reply to this comment. Threads are one level deep: a reply to a reply "
        "joins its thread.",
    )
    author = serializers.IntegerField(read_only=True, allow_null=True)
    author_name = serializers.CharField(read_only=True, allow_null=True)
    body = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        help_text=f"Markdown, 1 to {COMMENT_MAX_LENGTH:,} characters. Mention product members "
        "with @email or @display name. Empty once the comment was removed.",
    )
    body_html = serializers.CharField(read_only=True, help_text="The body, sanitised.")
    mentions = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text="Ids of people mentioned."
    )
    created_at = serializers.DateTimeField(read_only=True)
    edited = serializers.BooleanField(read_only=True)
    edited_at = serializers.DateTimeField(read_only=True, allow_null=True)
    resolved = serializers.BooleanField(read_only=True, help_text="For a thread's first comment.")
    resolved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    resolved_by = serializers.IntegerField(read_only=True, allow_null=True)
    deleted = serializers.BooleanField(read_only=True, help_text="Removed: kept as a placeholder.")

    def to_representation(self, instance: Comment) -> dict[str, Any]:
        author = instance.author
        deleted = instance.deleted_at is not None
        return {
            "id": instance.pk,
            "goal": instance.goal_id,
            "proposal": instance.proposal_id,
            "parent": instance.parent_id,
            "author": instance.author_id,
            "author_name": author.name if author else None,
            "body": "" if deleted else instance.body,
            "body_html": "" if deleted else instance.body_html,
            "mentions": sorted(user.pk for user in instance.mentions.all()),
            "created_at": instance.created_at,
            "edited": instance.edited_at is not None,
            "edited_at": instance.edited_at,
            "resolved": instance.resolved_at is not None,
            "resolved_at": instance.resolved_at,
            "resolved_by": instance.resolved_by_id,
            "deleted": deleted,
        }


class CommentUpdateSerializer(serializers.Serializer):
    body = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="The author only.",
    )
    resolved = serializers.BooleanField(
        required=False,
        help_text="Resolve or reopen a thread (its first comment): its author, the team, "
        "the leaders.",
    )


class InsightSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    goal = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=InsightKind.choices)
    summary = serializers.CharField(allow_blank=True, help_text="What was found.")
    source = serializers.CharField(  # type: ignore[assignment]  # named like Field.source
        allow_blank=True, help_text="Where it comes from: a study, report, dashboard (a URL)."
    )
    value = serializers.DecimalField(
        max_digits=MEASURE_DIGITS,
        decimal_places=MEASURE_PLACES,
        required=False,
        allow_null=True,
        help_text="Required for quantitative insights, absent for qualitative ones.",
    )
    unit = serializers.CharField(required=False, allow_blank=True, default="")
    author = serializers.IntegerField(read_only=True, allow_null=True)
    author_name = serializers.CharField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance: Insight) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "goal": instance.goal_id,
            "kind": instance.kind,
            "summary": instance.summary,
            "source": instance.source,
            "value": json_number(instance.value) if instance.value is not None else None,
            "unit": instance.unit,
            "author": instance.author_id,
            "author_name": instance.author.name if instance.author else None,
            "created_at": instance.created_at,
        }


class WatchSerializer(serializers.Serializer):
    watching = serializers.BooleanField()


class FeedbackRoundInputSerializer(serializers.Serializer):
    people = serializers.ListField(
        child=id_field(), max_length=200, help_text="User ids of the product members to ask."
    )
    deadline = DateInWindowField(help_text="Answers are due by the end of this day.")
    question = serializers.CharField(required=False, allow_blank=True, default="")


class FeedbackAnswerInputSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=FeedbackAnswer.choices)
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required with concerns or an objection.",
    )


class FeedbackAnswerSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    name = serializers.CharField()
    answer = serializers.ChoiceField(choices=FeedbackAnswer.choices, allow_blank=True)
    comment = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance: FeedbackRequest) -> dict[str, Any]:
        return answer_as_dict(instance)


def answer_as_dict(request: FeedbackRequest) -> dict[str, Any]:
    return {
        "person": request.person_id,
        "name": request.person.name,
        "answer": request.answer,
        "comment": request.comment,
        "answered_at": request.answered_at,
    }


class FeedbackSummarySerializer(serializers.Serializer):
    support = serializers.IntegerField()
    concerns = serializers.IntegerField()
    object = serializers.IntegerField()
    no_answer = serializers.IntegerField()


class PersonSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    name = serializers.CharField()


class FeedbackRoundSerializer(serializers.Serializer):
    """A round as the reader may see it: leaders see every answer and who has not answered;
    an asked person sees their own answer."""

    id = serializers.IntegerField()
    goal = serializers.IntegerField()
    goal_title = serializers.CharField()
    requested_by = serializers.IntegerField(allow_null=True)
    requested_by_name = serializers.CharField(allow_null=True)
    question = serializers.CharField()
    deadline = serializers.DateField()
    open = serializers.BooleanField(help_text="Answers can change while the round is open.")
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    people = PersonSerializer(many=True, help_text="Everyone asked.")
    my_answer = FeedbackAnswerSerializer(allow_null=True, help_text="Yours, if you were asked.")
    answers = FeedbackAnswerSerializer(many=True)
    not_answered = PersonSerializer(many=True, allow_null=True, help_text="Leaders only.")
    summary = FeedbackSummarySerializer(allow_null=True, help_text="Leaders only.")

    def to_representation(self, instance: RoundView) -> dict[str, Any]:
        feedback_round = instance.round
        leader = feedback_round.requested_by
        not_answered = instance.not_answered
        return {
            "id": feedback_round.pk,
            "goal": feedback_round.goal_id,
            "goal_title": feedback_round.goal.title,
            "requested_by": feedback_round.requested_by_id,
            "requested_by_name": leader.name if leader else None,
            "question": feedback_round.question,
            "deadline": feedback_round.deadline.isoformat(),
            "open": instance.open,
            "created_at": feedback_round.created_at,
            "closed_at": feedback_round.closed_at,
            "people": [_person(r) for r in instance.requests],
            "my_answer": answer_as_dict(instance.mine) if instance.mine else None,
            "answers": [answer_as_dict(r) for r in instance.answers],
            "not_answered": None if not_answered is None else [_person(r) for r in not_answered],
            "summary": instance.summary,
        }


def _person(request: FeedbackRequest) -> dict[str, Any]:
    return {"person": request.person_id, "name": request.person.name}


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    text = serializers.CharField()
    excerpt = serializers.CharField()
    url = serializers.CharField(help_text="Where it happened: a path on this site.")
    actor = serializers.IntegerField(allow_null=True)
    actor_name = serializers.CharField(allow_null=True)
    product = serializers.IntegerField()
    goal = serializers.IntegerField(allow_null=True)
    comment = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    read = serializers.BooleanField()
    read_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance: Notification) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "kind": instance.kind,
            "text": instance.text,
            "excerpt": instance.excerpt,
            "url": instance.url,
            "actor": instance.actor_id,
            "actor_name": instance.actor.name if instance.actor else None,
            "product": instance.product_id,
            "goal": instance.goal_id,
            "comment": instance.comment_id,
            "created_at": instance.created_at,
            "read": instance.read_at is not None,
            "read_at": instance.read_at,
        }


class NotificationReadSerializer(serializers.Serializer):
    read = serializers.BooleanField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were marked read.")


class PreferencesSerializer(serializers.Serializer):
    email_notifications = serializers.ChoiceField(
        choices=EmailFrequency.choices,
        help_text="immediately (the default), daily (one digest a day) or off (inbox only).",
    )


class ActivitySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["goal_change", "check_in", "comment", "insight", "feedback_round", "decision"]
    )
    at = serializers.DateTimeField()
    actor = serializers.IntegerField(allow_null=True)
    actor_name = serializers.CharField(allow_null=True)
    action = serializers.CharField(help_text='What the actor did, e.g. "commented on".')
    subject = serializers.CharField(help_text="The goal's or proposal's title.")
    after = serializers.CharField(
        help_text='What follows the subject, e.g. " as achieved": actor_name, action, subject '
        "and after read as one sentence."
    )
    goal = serializers.IntegerField(allow_null=True)
    url = serializers.CharField()
    detail = serializers.CharField(help_text="A short quote: the comment, reason or finding.")

    def to_representation(self, instance: Activity) -> dict[str, Any]:
        return {
            "kind": instance.kind,
            "at": instance.at,
            "actor": instance.actor.pk if instance.actor else None,
            "actor_name": instance.actor.name if instance.actor else None,
            "action": instance.action,
            "subject": instance.subject,
            "after": instance.after,
            "goal": instance.goal_id,
            "url": instance.url,
            "detail": instance.detail,
        }
