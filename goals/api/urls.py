from django.urls import path

from goals.api import (
    calendar,
    comments,
    exchange,
    feedback,
    goals,
    invitations,
    metrics,
    notifications,
    organizations,
    reviews,
    webhooks,
)

urlpatterns = [
    path("auth/token/", goals.TokenCreate.as_view(), name="api-token"),
    path("organizations/", organizations.OrganizationList.as_view(), name="api-organizations"),
    path(
        "organizations/<int:pk>/",
        organizations.OrganizationDetail.as_view(),
        name="api-organization",
    ),
    path(
        "organizations/<int:pk>/members/",
        organizations.OrganizationMembers.as_view(),
        name="api-organization-members",
    ),
    path(
        "organizations/<int:pk>/members/<int:member_id>/",
        organizations.OrganizationMemberDetail.as_view(),
        name="api-organization-member",
    ),
    path("invitations/", invitations.InvitationList.as_view(), name="api-invitations"),
    path("invitations/<int:pk>/", invitations.InvitationDetail.as_view(), name="api-invitation"),
    path(
        "invitations/<int:pk>/accept/",
        invitations.InvitationAccept.as_view(),
        name="api-invitation-accept",
    ),
    path(
        "invitations/<int:pk>/decline/",
        invitations.InvitationDecline.as_view(),
        name="api-invitation-decline",
    ),
    path("calendar-feed/", calendar.CalendarFeedCreate.as_view(), name="api-calendar-feed"),
    path("products/", organizations.ProductList.as_view(), name="api-products"),
    path("products/import/", exchange.ProductImport.as_view(), name="api-product-import"),
    path("products/<int:pk>/", organizations.ProductDetail.as_view(), name="api-product"),
    path(
        "products/<int:pk>/members/",
        organizations.ProductMembers.as_view(),
        name="api-product-members",
    ),
    path(
        "products/<int:pk>/members/<int:member_id>/",
        organizations.ProductMemberDetail.as_view(),
        name="api-product-member",
    ),
    path("products/<int:pk>/chain/", organizations.ProductChain.as_view(), name="api-chain"),
    path("products/<int:pk>/health/", organizations.ProductHealth.as_view(), name="api-health"),
    path("products/<int:pk>/export/", exchange.ProductExport.as_view(), name="api-export"),
    path(
        "products/<int:pk>/webhooks/",
        webhooks.ProductWebhooks.as_view(),
        name="api-product-webhooks",
    ),
    path("webhooks/<int:pk>/", webhooks.WebhookDetail.as_view(), name="api-webhook"),
    path(
        "webhooks/<int:pk>/deliveries/",
        webhooks.WebhookDeliveries.as_view(),
        name="api-webhook-deliveries",
    ),
    path("webhooks/<int:pk>/test/", webhooks.WebhookTest.as_view(), name="api-webhook-test"),
    path("goals/", goals.GoalList.as_view(), name="api-goals"),
    path("goals/<int:pk>/", goals.GoalDetail.as_view(), name="api-goal"),
    path("goals/<int:pk>/history/", goals.GoalHistory.as_view(), name="api-goal-history"),
    path(
        "goals/<int:pk>/agreement/", goals.GoalAgreementCreate.as_view(), name="api-goal-agreement"
    ),
    path("key-results/", goals.KeyResultList.as_view(), name="api-key-results"),
    path("key-results/<int:pk>/", goals.KeyResultDetail.as_view(), name="api-key-result"),
    # Values from data: metric tokens, pushed values (data sources are on the key result).
    path(
        "products/<int:pk>/metric-tokens/",
        metrics.MetricTokenList.as_view(),
        name="api-metric-tokens",
    ),
    path("metric-tokens/<int:pk>/", metrics.MetricTokenDetail.as_view(), name="api-metric-token"),
    path(
        "key-results/<int:pk>/values/",
        metrics.KeyResultValues.as_view(),
        name="api-key-result-values",
    ),
    # Conversations: comments, insights, feedback rounds, watching, notifications, activity.
    path("goals/<int:pk>/comments/", comments.GoalComments.as_view(), name="api-goal-comments"),
    path(
        "proposals/<int:pk>/comments/",
        comments.ProposalComments.as_view(),
        name="api-proposal-comments",
    ),
    path("comments/<int:pk>/", comments.CommentDetail.as_view(), name="api-comment"),
    path("goals/<int:pk>/insights/", comments.GoalInsights.as_view(), name="api-goal-insights"),
    path("insights/<int:pk>/", comments.InsightDetail.as_view(), name="api-insight"),
    path(
        "goals/<int:pk>/feedback-rounds/",
        feedback.GoalFeedbackRounds.as_view(),
        name="api-goal-feedback-rounds",
    ),
    path(
        "feedback-rounds/<int:pk>/",
        feedback.FeedbackRoundDetail.as_view(),
        name="api-feedback-round",
    ),
    path(
        "feedback-rounds/<int:pk>/answer/",
        feedback.FeedbackRoundAnswer.as_view(),
        name="api-feedback-round-answer",
    ),
    path(
        "feedback-rounds/<int:pk>/close/",
        feedback.FeedbackRoundClose.as_view(),
        name="api-feedback-round-close",
    ),
    path("goals/<int:pk>/watch/", notifications.GoalWatch.as_view(), name="api-goal-watch"),
    path("notifications/", notifications.NotificationList.as_view(), name="api-notifications"),
    path(
        "notifications/read-all/",
        notifications.NotificationsReadAll.as_view(),
        name="api-notifications-read-all",
    ),
    path(
        "notifications/<int:pk>/",
        notifications.NotificationDetail.as_view(),
        name="api-notification",
    ),
    path(
        "notification-preferences/",
        notifications.NotificationPreferences.as_view(),
        name="api-notification-preferences",
    ),
    path(
        "products/<int:pk>/activity/",
        notifications.ProductActivity.as_view(),
        name="api-product-activity",
    ),
    # The feedback loop: review schedules, check-ins, retrospectives, sprint verdicts.
    path(
        "products/<int:pk>/review-schedule/",
        reviews.ProductReviewSchedule.as_view(),
        name="api-review-schedule",
    ),
    path("goals/<int:pk>/check-ins/", reviews.GoalCheckIns.as_view(), name="api-check-ins"),
    path(
        "goals/<int:pk>/retrospective/",
        reviews.GoalRetrospective.as_view(),
        name="api-retrospective",
    ),
    path(
        "goals/<int:pk>/sprint-verdict/",
        reviews.GoalSprintVerdict.as_view(),
        name="api-sprint-verdict",
    ),
]
