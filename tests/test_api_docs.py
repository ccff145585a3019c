"""The API's own page works on a closed network: Swagger UI comes from the app's own files, the bearer scheme is
declared so "Authorize" sends the token, and the operations and parameters are described for people."""

from __future__ import annotations

import re

from tests.test_web_browser import browser, server  # noqa: F401 - fixtures


def test_the_api_page_loads_nothing_from_outside_the_app(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/static/vendor/swagger-ui/") for a in assets), assets
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200 and len(served.content) > 0, asset
    assert client.get("/redoc").status_code == 404  # ReDoc would come from a CDN: not offered
    assert "validatorUrl\": null" in page.text  # Swagger UI would otherwise send the spec to swagger.io


def test_the_bearer_scheme_is_declared_for_every_operation_that_needs_a_token(client):
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["token"] == {
        "type": "http", "scheme": "bearer", "description": spec["components"]["securitySchemes"]["token"]["description"]}
    open_paths = {"/health", "/ready"}  # for load balancers and orchestrators, without a token
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            assert (operation.get("security") == [{"token": []}]) != (path in open_paths), (method, path)


def test_the_token_from_authorize_is_what_the_api_reads(client):
    client.headers.pop("Authorization", None)
    assert client.get("/tasks").status_code == 401
    assert client.get("/tasks", headers={"Authorization": "Bearer dev-koordinator-nord"}).status_code == 200


def test_the_api_page_renders_offline_and_authorize_asks_for_the_token(browser, server):  # noqa: F811
    base, _ = server
    context = browser.new_context(java_script_enabled=True)
    context.set_default_timeout(15_000)
    outside: list[str] = []

    def only_the_app(route):
        if route.request.url.startswith(base):
            return route.continue_()
        outside.append(route.request.url)
        return route.abort()

    context.route("**/*", only_the_app)
    page = context.new_page()
    try:
        page.goto(f"{base}/docs")
        page.locator(".opblock").first.wait_for()
        assert page.locator(".opblock").count() >= 20
        page.get_by_role("button", name=re.compile("Authorize")).first.click()
        dialog = page.locator(".modal-ux")
        assert "token" in dialog.inner_text() and "bearer" in dialog.inner_text().lower()
        assert outside == []
    finally:
        context.close()


def test_every_operation_and_parameter_is_described_for_people(client):
    from fastapi.routing import APIRoute

    undescribed = []
    for route in (r for r in client.app.routes if isinstance(r, APIRoute) and r.include_in_schema):
        generated = route.name.replace("_", " ").title()  # what FastAPI writes when a route has no summary
        if not route.summary or route.summary == generated:
            undescribed.append(f"{sorted(route.methods)} {route.path}: no summary")
    spec = client.get("/openapi.json").json()
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            undescribed += [f"{method} {path}: parameter {p['name']}" for p in operation.get("parameters", [])
                            if not p.get("description")]
    assert undescribed == []


def test_setting_is_documented_with_its_real_values(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("StartPathway", "InstanceOut"):
        assert schemas[name]["properties"]["setting"]["enum"] == ["outpatient", "inpatient"], name
