"""A list page filters through the API's FilterSet (each app's `filters.py`): the same filters, query-string
parameters and choices, shown with the page's labels and drop-downs. So `?status=` or `?country=` means
one thing, on a page, in its export and over the API."""

from typing import NamedTuple

from django import forms


class Shown(NamedTuple):
    """How a page shows one filter: its label; the label of its blank choice ("All statuses"); the
    choices of a drop-down for a filter that has none of its own (a country, a venue), blank included."""

    label: str
    blank: str | None = None
    choices: list | None = None
    widget: forms.Widget | None = None


class OneOf(forms.SelectMultiple):
    """A drop-down of one choice for a filter that takes several: the page sends `?status=sent`, and
    `?status=sent&status=acknowledged` works as over the API. The blank choice filters nothing."""

    allow_multiple_selected = False

    def value_from_datadict(self, data, files, name):
        return [value for value in super().value_from_datadict(data, files, name) if value]


def filter_bar(filterset_class, request, queryset, shown: dict[str, Shown], **kwargs):
    """`filterset_class` over `queryset`, bound to the page's query string, with the `shown` filters only.

    A value a filter refuses (unknown, malformed, a NUL) leaves that filter out and the others apply: a
    page answers whatever its query string says, where the API answers 400."""
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request, **kwargs)
    filterset.filters = {name: filterset.filters[name] for name in shown}
    for name, how in shown.items():
        field = filterset.form.fields[name]
        field.label = how.label
        if how.widget is not None:
            field.widget = how.widget
        elif how.choices is not None:
            field.widget = forms.Select(choices=how.choices)
        elif isinstance(field, forms.ModelChoiceField):
            field.empty_label = how.blank  # read when the choices are listed, if they are (not by an export)
        elif how.blank is not None:
            widget = OneOf if isinstance(field, forms.MultipleChoiceField) else forms.Select
            field.widget = widget(choices=[("", how.blank), *(choice for choice in field.choices if choice[0] != "")])
    return filterset


def chosen(filterset, name):
    """The value a filter applies: None if the query string gave it none, or one it refused."""
    if not filterset.is_bound or name in filterset.errors:
        return None
    return filterset.form.cleaned_data.get(name)
