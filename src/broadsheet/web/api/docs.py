"""The API's docs page, /api/docs: every endpoint of /openapi.json with its parameters and
answers, rendered on the server (no third-party script, so the CSP stays strict)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from broadsheet.web.pages import render

router = APIRouter()


def endpoints(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """(method, path, summary, parameters, statuses) for each operation of the spec."""
    found = []
    for path, operations in spec.get("paths", {}).items():
        for method, op in operations.items():
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": (op.get("description") or op.get("summary") or "").strip(),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "description": p.get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "statuses": sorted(op.get("responses", {})),
                }
            )
    return found


@router.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request) -> HTMLResponse:
    spec = request.app.openapi()
    return render(request, "api_docs.html", spec=spec, endpoints=endpoints(spec))
