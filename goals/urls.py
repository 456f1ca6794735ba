from django.urls import path

from goals.views import auth, goals, home, organizations, products

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("password-reset/", auth.password_reset, name="password_reset"),
    path("password-reset/sent/", auth.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password-reset/done/", auth.password_reset_complete, name="password_reset_complete"),
    path("invitations/<str:token>/", auth.invitation_accept, name="invitation-accept"),
    path("organizations/new/", home.organization_new, name="organization-new"),
    path("organizations/<int:pk>/", organizations.organization, name="organization"),
    path("organizations/<int:pk>/edit/", organizations.organization_edit, name="organization-edit"),
    path(
        "organizations/<int:pk>/members/", organizations.member_invite, name="organization-invite"
    ),
    path(
        "organizations/<int:pk>/members/<int:member_id>/role/",
        organizations.member_role,
        name="organization-member-role",
    ),
    path(
        "organizations/<int:pk>/members/<int:member_id>/remove/",
        organizations.member_remove,
        name="organization-member-remove",
    ),
    path("organizations/<int:pk>/products/", organizations.product_new, name="product-new"),
    path(
        "organizations/<int:pk>/products/import/",
        organizations.product_import,
        name="product-import",
    ),
    path("products/<int:pk>/", products.product_chain, name="product-chain"),
    path("products/<int:pk>/goals/new/", products.goal_new, name="goal-new"),
    path("products/<int:pk>/members/", products.product_members, name="product-members"),
    path("products/<int:pk>/edit/", products.product_edit, name="product-edit"),
    path(
        "products/<int:pk>/members/<int:member_id>/role/",
        products.product_member_role,
        name="product-member-role",
    ),
    path(
        "products/<int:pk>/members/<int:member_id>/remove/",
        products.product_member_remove,
        name="product-member-remove",
    ),
    path("goals/<int:pk>/", goals.goal_detail, name="goal"),
    path("goals/<int:pk>/key-results/", goals.key_result_new, name="key-result-new"),
    path("key-results/<int:pk>/", goals.key_result_edit, name="key-result-edit"),
]
