from django.urls import path

from goals.api import exchange, goals, organizations

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
    path("goals/", goals.GoalList.as_view(), name="api-goals"),
    path("goals/<int:pk>/", goals.GoalDetail.as_view(), name="api-goal"),
    path("goals/<int:pk>/history/", goals.GoalHistory.as_view(), name="api-goal-history"),
    path("key-results/", goals.KeyResultList.as_view(), name="api-key-results"),
    path("key-results/<int:pk>/", goals.KeyResultDetail.as_view(), name="api-key-result"),
]
