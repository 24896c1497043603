from django.urls import path

from groups import views

app_name = "groups"
urlpatterns = [
    path("", views.group_list, name="list"),
    path("<int:pk>/", views.group_detail, name="detail"),
    path("<int:pk>/leave/", views.group_leave, name="leave"),
    path("<int:pk>/invites/", views.invite_create, name="invite-create"),
    path("<int:pk>/invites/<int:invite_pk>/revoke/", views.invite_revoke, name="invite-revoke"),
    path("<int:pk>/members/<int:membership_pk>/remove/", views.member_remove, name="member-remove"),
    path("<int:pk>/members/<int:membership_pk>/role/", views.member_role, name="member-role"),
    path(
        "<int:pk>/members/<int:membership_pk>/make-owner/",
        views.member_make_owner,
        name="member-make-owner",
    ),
    path("<int:pk>/lent/", views.account_lend, name="lend"),
    path("<int:pk>/lent/<int:loan_pk>/withdraw/", views.account_withdraw, name="withdraw"),
]
