"""A list typed in one text box: shown joined by commas, cleaned into its items in order."""

from __future__ import annotations

import pytest
from django import forms

from playtomic_monitor.comma_separated import CommaSeparatedField


class SportsForm(forms.Form):
    sports = CommaSeparatedField(label="Sports")
    lengths = CommaSeparatedField(label="Lengths", required=True)


def test_it_shows_a_list_joined_by_commas() -> None:
    form = SportsForm(initial={"sports": ["PADEL", "TENNIS"], "lengths": [90, 60]})

    assert 'value="PADEL, TENNIS"' in str(form["sports"])
    assert 'value="90, 60"' in str(form["lengths"])


def test_it_cleans_the_text_into_its_items_stripped_in_the_order_typed() -> None:
    form = SportsForm({"sports": " tennis ,, padel ,", "lengths": "90"})

    assert form.is_valid()
    assert form.cleaned_data == {"sports": ["tennis", "padel"], "lengths": ["90"]}


@pytest.mark.parametrize("typed", ["", " , ,"])
def test_it_is_optional_unless_required_and_commas_alone_are_nothing(typed: str) -> None:
    form = SportsForm({"sports": typed, "lengths": typed})

    assert not form.is_valid()
    assert list(form.errors) == ["lengths"]
    assert form.cleaned_data["sports"] == []


def test_a_refused_form_shows_the_text_as_typed() -> None:
    form = SportsForm({"sports": "padel,  tennis", "lengths": ""}, initial={"sports": ["X"]})

    assert not form.is_valid()
    assert 'value="padel,  tennis"' in str(form["sports"])


def test_the_same_items_typed_again_are_no_change() -> None:
    form = SportsForm(
        {"sports": "PADEL,TENNIS", "lengths": "90, 45"},
        initial={"sports": ["PADEL", "TENNIS"], "lengths": [90, 60]},
    )

    assert form.changed_data == ["lengths"]
