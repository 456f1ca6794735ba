"""Two-factor services: turning it on with a real code, recovery codes, throttling, turning off."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from goals.errors import DomainError
from goals.models import OrganizationMembership
from tests.accounts.two_factor_steps import START, code_for, next_step, turn_on
from tests.factories import PASSWORD, OrganizationFactory, UserFactory

pytestmark = pytest.mark.time_machine(START, tick=False)


@pytest.fixture
def user(db):
    return UserFactory()


def test_it_turns_on_with_a_first_code_and_gives_ten_recovery_codes(user):
    device = two_factor.start_setup(user=user)
    assert not two_factor.has_two_factor(user)

    codes = two_factor.confirm_setup(user=user, code=code_for(device))

    assert two_factor.has_two_factor(user)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(code) == 9 and code[4] == "-" for code in codes)
    assert two_factor.recovery_codes_left(user) == 10


def test_it_keeps_the_secret_shown_until_it_is_confirmed(user):
    first = two_factor.start_setup(user=user)
    again = two_factor.start_setup(user=user)
    assert again.pk == first.pk and again.key == first.key
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_it_refuses_a_wrong_first_code(user):
    two_factor.start_setup(user=user)
    with pytest.raises(DomainError) as error:
        two_factor.confirm_setup(user=user, code="000000")
    assert error.value.errors == {"code": [two_factor.WRONG_CODE]}
    assert not two_factor.has_two_factor(user)
    assert not StaticToken.objects.exists()


def test_it_refuses_to_set_up_a_second_app(user):
    turn_on(user)
    with pytest.raises(DomainError, match="already on"):
        two_factor.start_setup(user=user)


def test_it_refuses_an_account_that_signs_in_with_single_sign_on(user):
    user.set_unusable_password()
    user.save()
    with pytest.raises(DomainError, match="single sign-on"):
        two_factor.start_setup(user=user)


def test_it_gives_the_secret_in_groups_an_app_accepts_typed(user):
    device = two_factor.start_setup(user=user)
    secret = two_factor.secret_for_typing(device)
    groups = secret.split(" ")
    assert len(groups) == 8 and all(len(group) == 4 for group in groups)
    assert f"secret={''.join(groups)}" in device.config_url
    assert "issuer=Goal%20Chain" in device.config_url


def test_it_accepts_an_app_code_once(user, time_machine):
    device, _ = turn_on(user)
    next_step(time_machine)
    code = code_for(device)

    assert two_factor.verify_code(user, code)
    time_machine.shift(2)
    assert not two_factor.verify_code(user, code)  # the same code, replayed
    next_step(time_machine)
    assert two_factor.verify_code(user, code_for(device))


def test_it_accepts_codes_typed_with_spaces_dashes_and_capitals(user, time_machine):
    device, codes = turn_on(user)
    next_step(time_machine)
    code = code_for(device)
    assert two_factor.verify_code(user, f" {code[:3]} {code[3:]} ")
    assert two_factor.verify_code(user, codes[0].upper().replace("-", " - "))


def test_a_recovery_code_works_once(user, time_machine):
    _, codes = turn_on(user)
    assert two_factor.verify_code(user, codes[3])
    time_machine.shift(60)
    assert not two_factor.verify_code(user, codes[3])
    assert two_factor.recovery_codes_left(user) == 9


def test_new_recovery_codes_replace_the_old_ones_and_ask_the_password(user):
    _, old = turn_on(user)
    with pytest.raises(DomainError) as error:
        two_factor.new_recovery_codes(user=user, password="not-it")
    assert error.value.errors == {"password": ["That is not your password."]}

    new = two_factor.new_recovery_codes(user=user, password=PASSWORD)

    assert len(new) == 10 and not set(new) & set(old)
    assert not two_factor.verify_code(user, old[0])
    assert two_factor.recovery_codes_left(user) == 10


def test_it_slows_down_guessing_and_says_how_long_to_wait(user, time_machine):
    device, _ = turn_on(user)
    next_step(time_machine)
    with pytest.raises(DomainError) as error:
        two_factor.check_code(user=user, code="000000")
    assert error.value.errors == {"code": [two_factor.WRONG_CODE]}

    # Right away, even the right code waits: the first wrong one costs a second.
    with pytest.raises(DomainError) as error:
        two_factor.check_code(user=user, code=code_for(device))
    assert error.value.errors == {
        "code": ["Too many wrong codes in a row: wait 1 second and try again."]
    }
    time_machine.shift(1)
    with pytest.raises(DomainError):
        two_factor.check_code(user=user, code="111111")
    with pytest.raises(DomainError, match="wait 2 seconds"):
        two_factor.check_code(user=user, code=code_for(device))

    time_machine.shift(2)
    two_factor.check_code(user=user, code=code_for(device))
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_wrong_recovery_codes_are_slowed_down_too(user, time_machine):
    _, codes = turn_on(user)
    assert not two_factor.verify_code(user, "aaaa-bbbb")
    assert not two_factor.verify_code(user, codes[0])  # too soon after a wrong one
    time_machine.shift(1)
    assert two_factor.verify_code(user, codes[0])


def test_turning_off_asks_the_password_and_removes_every_code(user):
    _, codes = turn_on(user)
    with pytest.raises(DomainError):
        two_factor.turn_off(user=user, password="not-it")
    assert two_factor.has_two_factor(user)

    two_factor.turn_off(user=user, password=PASSWORD)

    assert not two_factor.has_two_factor(user)
    assert not two_factor.verify_code(user, codes[0])
    assert two_factor.recovery_codes_left(user) == 0


def test_it_stays_on_when_an_organisation_requires_it(user):
    turn_on(user)
    acme = OrganizationFactory(name="Acme", require_two_factor=True)
    OrganizationMembership.objects.create(organization=acme, user=user)

    with pytest.raises(DomainError) as error:
        two_factor.turn_off(user=user, password=PASSWORD)

    assert error.value.message == "Acme asks its members to use two-factor sign-in, so it stays on."
    assert two_factor.has_two_factor(user)
    assert two_factor.required_by(user) == "Acme"


def test_an_unconfirmed_app_does_not_count(user):
    device = two_factor.start_setup(user=user)
    assert not two_factor.verify_code(user, code_for(device))


def test_five_wrong_passwords_stop_the_password_being_tried_for_an_hour(
    user, time_machine, cache_in_process
):
    """A browser left signed in is no way to guess the password and turn two-factor off."""
    turn_on(user)
    for _ in range(5):
        with pytest.raises(DomainError) as wrong:
            two_factor.turn_off(user=user, password="guess")
        assert wrong.value.errors == {"password": [two_factor.WRONG_PASSWORD]}

    with pytest.raises(DomainError) as stopped:
        two_factor.turn_off(user=user, password=PASSWORD)  # even the right one, for now
    assert stopped.value.errors == {"password": [two_factor.TOO_MANY_WRONG_PASSWORDS]}
    with pytest.raises(DomainError):
        two_factor.new_recovery_codes(user=user, password=PASSWORD)
    assert two_factor.has_two_factor(user)

    time_machine.shift(60 * 60 + 1)
    two_factor.turn_off(user=user, password=PASSWORD)
    assert not two_factor.has_two_factor(user)


def test_the_database_keeps_no_recovery_code_as_it_was_shown(user):
    _, codes = turn_on(user)
    stored = set(StaticToken.objects.values_list("token", flat=True))

    assert len(stored) == 10
    assert not stored & {code.replace("-", "") for code in codes}
    assert two_factor.verify_code(user, codes[3])
    assert two_factor.recovery_codes_left(user) == 9
