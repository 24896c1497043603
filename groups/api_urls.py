from django.urls import URLPattern, URLResolver, path

from groups import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("groups/", api.GroupListApi.as_view(), name="api-groups"),
    path("groups/<int:group_id>/", api.GroupDetailApi.as_view(), name="api-group"),
    path("groups/<int:group_id>/members/", api.MemberListApi.as_view(), name="api-group-members"),
    path("groups/<int:group_id>/invites/", api.InviteListApi.as_view(), name="api-group-invites"),
    path(
        "groups/<int:group_id>/invites/<int:invite_id>/revoke/",
        api.InviteRevokeApi.as_view(),
        name="api-group-invite-revoke",
    ),
    path(
        "groups/<int:group_id>/lent-accounts/",
        api.LentAccountListApi.as_view(),
        name="api-group-lent-accounts",
    ),
    path(
        "groups/<int:group_id>/lent-accounts/<int:loan_id>/",
        api.LentAccountDetailApi.as_view(),
        name="api-group-lent-account",
    ),
]
