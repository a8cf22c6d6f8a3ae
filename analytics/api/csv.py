"""CSV answers: every analytics endpoint answers ``?format=csv`` with its
main table, one row per line and nested figures in dotted columns."""

import csv
import io
import json

from rest_framework.renderers import BaseRenderer


def flatten(row: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, list):
            for number, item in enumerate(value, start=1):
                flat.update(flatten({str(number): item}, f"{name}."))
        elif isinstance(value, bool):
            flat[name] = "true" if value else "false"
        else:
            flat[name] = "" if value is None else value
    return flat


def csv_text(rows: list[dict]) -> str:
    flat = [flatten(r) for r in rows]
    columns = []
    for row in flat:
        columns.extend(c for c in row if c not in columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(flat)
    return out.getvalue()


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        response = context.get("response")
        view = context.get("view")
        if data is None:
            return b""
        if response is not None and response.status_code >= 400:
            # Errors stay JSON, whatever format was asked for.
            response["Content-Type"] = "application/json"
            return json.dumps(data).encode()
        if response is not None:
            name = getattr(view, "csv_name", "analytics")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return csv_text(view.csv_rows(data)).encode()
