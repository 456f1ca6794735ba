"""API endpoints of the account: personal tokens."""

from django.urls import path

from accounts import api

urlpatterns: list = [
    path("tokens/", api.TokenList.as_view(), name="api-personal-tokens"),
    path("tokens/<int:pk>/", api.TokenDetail.as_view(), name="api-personal-token"),
]
