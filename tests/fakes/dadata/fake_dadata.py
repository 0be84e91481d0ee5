"""A fake of DaData (shared/design/EXTERNAL-APIS.md §3), stdlib only.

    from fake_dadata import FakeDadata
    dd = FakeDadata().start()
    dd.url + "/api/v1/"                        # the cleaner's base URL
    dd.url + "/suggestions/api/4_1/rs/"        # the suggestions' base URL
    dd.fault("/api/v1/clean/address", 403)     # out of balance (fakehttp.Fake)

Cleaner (Authorization: Token KEY and X-Secret SECRET; 401 without, 403 wrong):
  POST /api/v1/clean/address  known addresses (ADDRESSES) cleaned with coordinates;
                              anything with "москв"/"новосиб" → that city, house
                              level coordinates unknown (qc_geo 4); other text qc 2
  POST /api/v1/clean/phone    Russian numbers → "+7 9xx xxx-xx-xx", qc 0; else qc 2
  POST /api/v1/clean/email    fixes "/ru" typos (qc 4); no "@" → qc 1
Suggestions (Authorization: Token KEY):
  POST .../suggest/address    known addresses containing the query
  POST .../geolocate/address  known addresses within radius_meters × 10 (lenient)
  POST .../findById/delivery  city kladr_id → cdek_id
"""

from __future__ import annotations

import math
import re
import threading
from typing import Any, Optional

from fakehttp import Fake, Response

API_KEY = "test-dadata-key"
SECRET = "test-dadata-secret"

MOSCOW = {"city": "Москва", "city_kladr_id": "7700000000000", "region_with_type": "г Москва",
          "city_fias_id": "0c5b2444-70a0-4932-980c-b4dc0d3f02b5"}
NSK = {"city": "Новосибирск", "city_kladr_id": "5400000100000", "region_with_type": "Новосибирская обл",
       "city_fias_id": "8dea00e3-9aab-4d8e-887c-ef2aaa546456"}

ADDRESSES = [
    dict(MOSCOW, key="москва тверская 1", result="г Москва, ул Тверская, д 1", postal_code="125009",
         street_with_type="ул Тверская", house="1", geo_lat="55.7575", geo_lon="37.6130"),
    dict(MOSCOW, key="москва сухонская 11", result="г Москва, ул Сухонская, д 11", postal_code="127642",
         street_with_type="ул Сухонская", house="11", geo_lat="55.8782557", geo_lon="37.65372"),
    dict(NSK, key="новосибирск ленина 10", result="г Новосибирск, ул Ленина, д 10", postal_code="630099",
         street_with_type="ул Ленина", house="10", geo_lat="55.0302", geo_lon="82.9204"),
]
CDEK_IDS = {"7700000000000": "44", "5400000100000": "270"}


def _norm(s: str) -> str:
    s = re.sub(r"[^\w ]+", " ", s.lower().replace("ё", "е"))
    s = re.sub(r"\b(г|ул|д|дом|улица|город)\b", " ", s)
    return " ".join(s.split())


def _data(a: dict, qc_geo: int = 0) -> dict:
    d = {k: v for k, v in a.items() if k != "key"}
    d.update({"country": "Россия", "country_iso_code": "RU", "qc_geo": qc_geo, "qc": 0, "qc_complete": 0,
              "qc_house": 2, "fias_level": "8" if a.get("house") else "4", "timezone": "UTC+3"})
    return d


def _clean_address(src: str) -> dict:
    n = _norm(src)
    for a in ADDRESSES:
        if a["key"] in n or n in a["key"] and len(n) > 8:
            d = _data(a)
            d["source"] = src
            return d
    for base, needle in ((MOSCOW, "москв"), (NSK, "новосиб")):
        if needle in n:
            d = dict(base, source=src, result=f"г {base['city']}, {src}", postal_code=None, geo_lat=None,
                     geo_lon=None, qc_geo=5, qc=1, fias_level="4", country="Россия")
            return d
    return {"source": src, "result": None, "postal_code": None, "city": None, "geo_lat": None, "geo_lon": None,
            "qc": 2, "qc_geo": 5}


def _clean_phone(src: str) -> dict:
    digits = re.sub(r"\D", "", src)
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    if len(digits) == 10 and digits[0] in "3489":
        return {"source": src, "type": "Мобильный" if digits[0] == "9" else "Стационарный",
                "phone": f"+7 {digits[0:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:10]}", "country_code": "7",
                "city_code": digits[0:3], "number": digits[3:], "extension": None, "provider": "ПАО \"МТС\"",
                "qc": 0, "qc_conflict": 0}
    return {"source": src, "type": None, "phone": None, "qc": 2}


def _clean_email(src: str) -> dict:
    s = src.strip()
    fixed = re.sub(r"/(ru|com)$", r".\1", s)
    if "@" not in fixed or "." not in fixed.split("@")[-1]:
        return {"source": src, "email": None, "qc": 1}
    local, domain = fixed.split("@", 1)
    return {"source": src, "email": fixed.lower(), "local": local, "domain": domain.lower(), "type": "PERSONAL",
            "qc": 4 if fixed != s else 0}


def _suggestion(a: dict) -> dict:
    return {"value": a["result"], "unrestricted_value": f"{a['postal_code']}, {a['result']}",
            "data": dict(_data(a), qc_geo="0", qc=None)}


class FakeDadata(Fake):
    name = "fake-dadata"

    def handle(self, method: str, path: str, q: dict, hdrs: dict, body: Any) -> Response:
        auth = hdrs.get("authorization", "")
        if not auth.startswith("Token "):
            return Response(401, {"family": "CLIENT_ERROR", "reason": "Unauthorized", "message": "no token"})
        if auth[6:] != API_KEY:
            return Response(403, {"family": "CLIENT_ERROR", "reason": "Forbidden", "message": "bad token"})
        if path.startswith("/api/v1/clean/"):
            if hdrs.get("x-secret") is None:
                return Response(401, {"family": "CLIENT_ERROR", "reason": "Unauthorized", "message": "no secret"})
            if hdrs.get("x-secret") != SECRET:
                return Response(403, {"family": "CLIENT_ERROR", "reason": "Forbidden", "message": "bad secret"})
            if not isinstance(body, list) or not all(isinstance(x, str) for x in body):
                return Response(400, {"family": "CLIENT_ERROR", "reason": "Bad Request", "message": "array"})
            fn = {"address": _clean_address, "phone": _clean_phone, "email": _clean_email}.get(path[14:])
            if not fn:
                return Response(404, {"family": "CLIENT_ERROR", "reason": "Not Found"})
            return Response(200, [fn(x) for x in body])
        base = "/suggestions/api/4_1/rs/"
        if not path.startswith(base) or method != "POST" or not isinstance(body, dict):
            return Response(404, {"family": "CLIENT_ERROR", "reason": "Not Found"})
        what = path[len(base):]
        if what == "suggest/address":
            n = _norm(str(body.get("query", "")))
            got = [_suggestion(a) for a in ADDRESSES if n and (n in a["key"] or a["key"] in n)]
            return Response(200, {"suggestions": got[: int(body.get("count", 10))]})
        if what == "geolocate/address":
            lat, lon = float(body["lat"]), float(body["lon"])
            radius = float(body.get("radius_meters", 100)) * 10
            near = []
            for a in ADDRESSES:
                d = _dist(lat, lon, float(a["geo_lat"]), float(a["geo_lon"]))
                if d <= radius:
                    near.append((d, a))
            near.sort(key=lambda x: x[0])
            return Response(200, {"suggestions": [_suggestion(a) for _, a in near][: int(body.get("count", 10))]})
        if what == "findById/delivery":
            cid = CDEK_IDS.get(str(body.get("query", "")))
            if not cid:
                return Response(200, {"suggestions": []})
            return Response(200, {"suggestions": [{"value": body["query"], "unrestricted_value": body["query"],
                                                   "data": {"kladr_id": body["query"], "cdek_id": cid}}]})
        return Response(404, {"family": "CLIENT_ERROR", "reason": "Not Found"})


def _dist(a1: float, o1: float, a2: float, o2: float) -> float:
    r = math.radians
    h = math.sin(r(a2 - a1) / 2) ** 2 + math.cos(r(a1)) * math.cos(r(a2)) * math.sin(r(o2 - o1) / 2) ** 2
    return 2 * 6371000 * math.asin(math.sqrt(h))


def main() -> None:
    f = FakeDadata().start()
    print(f"fake DaData at {f.url}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
