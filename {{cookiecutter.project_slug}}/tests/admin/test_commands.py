"""``create-user --admin``, ``admin grant`` and ``admin revoke``: the same rules, audited."""

from tests.admin.conftest import ADMIN_EMAIL, account, audit_rows, make_admin
from tests.conftest import EMAIL


def test_create_user_admin_makes_an_administrator(app, runner):
    result = runner.invoke(args=["create-user", ADMIN_EMAIL, "--admin", "--password", "pw" * 8])

    assert result.exit_code == 0, result.output
    assert "administrator" in result.output
    ((actor, action, target, user_id),) = audit_rows(app)
    assert account(app, user_id).is_admin
    assert (action, target) == ("grant admin", ADMIN_EMAIL)
    assert actor.endswith(f"create-user {ADMIN_EMAIL} --admin")
    assert "pw" not in actor.replace(ADMIN_EMAIL, "")


def test_grant_then_revoke_with_another_administrator(app, runner, user, admin):
    assert runner.invoke(args=["admin", "grant", EMAIL]).exit_code == 0
    assert account(app, user.id).is_admin

    assert runner.invoke(args=["admin", "revoke", EMAIL]).exit_code == 0
    assert not account(app, user.id).is_admin
    actors = [row[0] for row in audit_rows(app)]
    assert actors[0].endswith(f"admin grant {EMAIL}")
    assert actors[1].endswith(f"admin revoke {EMAIL}")


def test_the_last_administrator_cannot_be_revoked(app, runner, admin):
    result = runner.invoke(args=["admin", "revoke", ADMIN_EMAIL])

    assert result.exit_code != 0
    assert "last administrator" in result.output
    assert account(app, admin.id).is_admin
    assert audit_rows(app) == []


def test_an_unknown_email_fails_with_one_line_naming_it(runner):
    for command in ("grant", "revoke"):
        result = runner.invoke(args=["admin", command, "nobody@example.com"])
        assert result.exit_code != 0
        assert result.output.strip().splitlines() == [
            "Error: No user has the email nobody@example.com."
        ]


def test_two_administrators_may_revoke_each_other_one_after_the_other(app, runner, admin):
    make_admin(app, "deputy@example.com")
    assert runner.invoke(args=["admin", "revoke", "deputy@example.com"]).exit_code == 0
    assert runner.invoke(args=["admin", "revoke", ADMIN_EMAIL]).exit_code != 0
