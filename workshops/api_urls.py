from django.urls import path

from workshops import api

urlpatterns = [
    path("workshops/", api.WorkshopList.as_view(), name="api-workshops"),
    path("workshops/<int:pk>/", api.WorkshopDetail.as_view(), name="api-workshop"),
    path(
        "workshops/<int:pk>/participants/",
        api.WorkshopParticipants.as_view(),
        name="api-workshop-participants",
    ),
    path(
        "workshops/<int:pk>/participants/<int:participant_id>/",
        api.WorkshopParticipantDetail.as_view(),
        name="api-workshop-participant",
    ),
    path("workshops/<int:pk>/cancel/", api.WorkshopCancel.as_view(), name="api-workshop-cancel"),
    path("workshops/<int:pk>/phase/", api.WorkshopPhase.as_view(), name="api-workshop-phase"),
    path("workshops/<int:pk>/rounds/", api.WorkshopRounds.as_view(), name="api-workshop-rounds"),
    path(
        "workshops/<int:pk>/proposals/",
        api.WorkshopProposals.as_view(),
        name="api-workshop-proposals",
    ),
    path("workshops/<int:pk>/results/", api.WorkshopResults.as_view(), name="api-workshop-results"),
    path("workshops/<int:pk>/decide/", api.WorkshopDecide.as_view(), name="api-workshop-decide"),
    path("workshops/<int:pk>/events/", api.workshop_events, name="api-workshop-events"),
    path("proposals/<int:pk>/", api.ProposalDetail.as_view(), name="api-proposal"),
    path(
        "proposals/<int:pk>/revisions/",
        api.ProposalRevisions.as_view(),
        name="api-proposal-revisions",
    ),
    path("proposals/<int:pk>/vote/", api.ProposalVote.as_view(), name="api-proposal-vote"),
]
