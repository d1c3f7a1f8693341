from django.urls import reverse

from tests.conftest import sign_in


def test_home_sends_anonymous_people_to_sign_in(client):
    response = client.get(reverse("safeguarding:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("safeguarding:login"))


def test_home_lists_the_school_a_teacher_works_at(client, cast):
    response = sign_in(client, cast.teacher).get(reverse("safeguarding:home"))
    assert response.status_code == 200
    assert "Oakwood Academy" in response.content.decode()
    assert "Elm Park School" not in response.content.decode()


def test_a_dsl_without_their_second_factor_is_sent_to_the_check(client, cast):
    client.force_login(cast.dsl)
    response = client.get(reverse("safeguarding:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("safeguarding:two_factor_verify")
