"""The API's own page (`/docs`): Swagger UI served by the app from `api/static/vendor/swagger-ui/` (swagger-ui-dist
5, Apache-2.0, its LICENSE and NOTICE beside it), so it works on a closed hospital network without a CDN."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
ASSETS = "/static/vendor/swagger-ui"


@router.get("/docs")
def api_page(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(openapi_url=request.app.openapi_url, title=f"{request.app.title} – API",
                               swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
                               swagger_css_url=f"{ASSETS}/swagger-ui.css",
                               swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
                               swagger_ui_parameters={"persistAuthorization": True, "tryItOutEnabled": True,
                                                      "validatorUrl": None})  # no call to swagger.io
