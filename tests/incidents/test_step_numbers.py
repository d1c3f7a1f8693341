""" "Step 3 of 5" is counted over the pages this report shows: every page of the journey has its
own number, in order, and none repeats."""

import re

from django.urls import reverse

STEP = re.compile(r"Report a concern – step (\d+) of (\d+)")


def numbers(response) -> tuple[int, int]:
    found = STEP.findall(response.content.decode())
    assert len(found) == 1, found
    return int(found[0][0]), int(found[0][1])


def test_each_page_of_the_journey_has_its_own_step_number(journey, cast, pupils):
    j = journey(cast.teacher)
    client = j.client
    seen = [numbers(client.get(reverse("incidents:report_start", kwargs={"school": "oakwood"})))]
    j.start()
    seen.append(numbers(client.get(j.url("report_what"))))
    j.what()
    seen.append(numbers(client.get(j.url("report_who"))))
    j.add_pupil(pupils["maya"])
    # The same page after adding a pupil is the same step.
    assert numbers(client.get(j.url("report_who"))) == seen[-1]
    j.adults()
    seen.append(numbers(client.get(j.url("report_checklist"))))
    j.checklist()
    seen.append(numbers(client.get(j.url("report_check"))))

    count = seen[0][1]
    assert seen == [(n, count) for n in range(1, count + 1)]
    # "What happens next" in full is not a step of its own.
    assert STEP.search(client.get(j.url("report_outcome")).content.decode()) is None
