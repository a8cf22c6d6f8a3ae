"""designer.graph.templates: the sandbox refuses output too large to say."""

import time

import pytest

from designer.graph.templates import TemplateError, check_template, render_template


def rendered_error(source: str, context=None) -> str:
    with pytest.raises(TemplateError) as caught:
        render_template(source, context or {"name": "Anna"})
    return str(caught.value)


def test_small_products_and_powers_render():
    source = "{{ 'ab' * 3 }} {{ [0] * 2 }} {{ 2 ** 10 }} {{ 6 * 7 }}"
    assert render_template(source, {}) == "ababab [0, 0] 1024 42"


@pytest.mark.parametrize(
    "source, message",
    [
        (
            "{{ 'x' * 100000000 }}",
            (
                "not allowed in a prompt: '*' would make 100000000 characters; "
                "the limit is 2000"
            ),
        ),
        (
            "{{ 100000000 * name }}",
            (
                "not allowed in a prompt: '*' would make 400000000 characters; "
                "the limit is 2000"
            ),
        ),
        (
            "{{ [1, 2] * 1001 }}",
            "not allowed in a prompt: '*' would make 2002 items; the limit is 2000",
        ),
        (
            "{{ 9 ** 99999999 }}",
            "not allowed in a prompt: '**' would make a number too large to say",
        ),
        (
            "{{ (2 ** 5000) * (2 ** 5000) }}",
            "not allowed in a prompt: '*' would make a number too large to say",
        ),
    ],
)
def test_products_and_powers_too_large_are_refused_before_they_are_built(
    source, message
):
    started = time.perf_counter()
    assert rendered_error(source) == message
    assert time.perf_counter() - started < 0.5


def test_a_prompt_longer_than_2000_characters_is_an_error():
    assert render_template("{{ 'x' * 2000 }}", {}) == "x" * 2000
    assert rendered_error("{{ 'x' * 1000 }} {{ 'y' * 1000 }}") == (
        "prompt renders to 2001 characters; the limit is 2000"
    )


def test_a_long_loop_stops_rendering_early():
    source = "{% for i in range(1000) %}xxxxxxxxxx{% endfor %}"
    assert rendered_error(source) == (
        "prompt renders to more than 8000 characters; the limit is 2000"
    )


def test_whitespace_counts_once_it_is_collapsed():
    source = "{{ 'x' * 1000 }}" + " " * 3000 + "{{ 'y' * 999 }}"
    assert render_template(source, {}) == "x" * 1000 + " " + "y" * 999


@pytest.mark.parametrize(
    "source",
    [
        "{% include 'header' %}",
        "{% import 'macros' as m %}",
        "{% from 'macros' import greet %}",
        "{% extends 'base' %}",
    ],
)
def test_a_prompt_cannot_read_other_templates(source):
    with pytest.raises(TemplateError) as caught:
        check_template(source)
    assert str(caught.value) == (
        "line 1: a prompt cannot include, import or extend other templates"
    )


def test_private_attributes_are_refused():
    message = "not allowed in a prompt: access to attribute '__class__' of 'str' "
    assert rendered_error("{{ name.__class__ }}") == message + "object is unsafe."
    assert rendered_error("{{ name|attr('__class__') }}") == (
        message + "object is unsafe."
    )
