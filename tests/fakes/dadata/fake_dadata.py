"""A fake of DaData (shared/design/EXTERNAL-APIS.md §3), stdlib only.

    from fake_dadata import FakeDadata
    dd = FakeDadata().start()
    dd.url + "/api/v1/"                        # the cleaner's base URL
    dd.url + "/suggestions/api/4_1/rs/"        # the suggestions' base URL
    dd.fault("/api/v1/clean/address", 403)     # out of balance (fakehttp.Fake)

Cleaner (Authorization: Token KEY and X-Secret SECRET; 401 without, 403 wrong):
  POST /api/v1/clean/address  known addresses (ADDRESSES, city + street + house) cleaned with coordinates;
                              in a city the fake CDEK knows (CITIES: Москва, Санкт-Петербург,
                              Новосибирск, Екатеринбург, Казань) a known street and a house
                              number → nearest-house coordinates on that street (qc_geo 1),
                              near the CDEK fake's pickup points; another street there →
                              the city's centre (qc 1, qc_geo 4, as DaData gives it);
                              other text qc 2
  POST /api/v1/clean/phone    Russian numbers → "+7 9xx xxx-xx-xx", qc 0; else qc 2
  POST /api/v1/clean/email    fixes "/ru" typos (qc 4); no "@" → qc 1
Suggestions (Authorization: Token KEY):
  POST .../suggest/address    known addresses containing every word of the query
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

def _city(name, kladr, fias, region, lat, lon, cdek_id, needles, streets):
    """streets: (street_with_type, words that name it, postal code, lat, lon) on which the
    fake CDEK has pickup points nearby (tests/fakes/cdek/fake_cdek.py POINTS)."""
    return {"city": name, "city_kladr_id": kladr, "city_fias_id": fias, "region_with_type": region,
            "lat": lat, "lon": lon, "cdek_id": cdek_id, "needles": needles, "streets": streets}


# every city the fake CDEK knows, with the same CDEK codes
CITIES = [
    _city("Москва", "7700000000000", "0c5b2444-70a0-4932-980c-b4dc0d3f02b5", "г Москва", 55.7522, 37.6156, "44",
          ("москв",), [("ул Тверская", ("тверская",), "125009", 55.7600, 37.6090),
                       ("ул Арбат", ("арбат",), "119002", 55.7505, 37.5915),
                       ("ул Петровка", ("петровка",), "107031", 55.7650, 37.6155),
                       ("ул Сухонская", ("сухонская",), "127642", 55.8782, 37.6537)]),
    _city("Санкт-Петербург", "7800000000000", "c2deb16a-0330-4f05-821f-1d09c93331e6", "г Санкт-Петербург",
          59.9386, 30.3141, "137", ("петербург", "спб", "питер"),
          [("Невский пр-кт", ("невский",), "191025", 59.9340, 30.3300),
           ("ул Садовая", ("садовая",), "190031", 59.9265, 30.3180)]),
    _city("Новосибирск", "5400000100000", "8dea00e3-9aab-4d8e-887c-ef2aaa546456", "Новосибирская обл",
          55.0302, 82.9204, "270", ("новосиб",),
          [("ул Ленина", ("ленина",), "630099", 55.0305, 82.9190),
           ("Красный пр-кт", ("красный",), "630091", 55.0410, 82.9170)]),
    _city("Екатеринбург", "6600000100000", "2763c110-cb8b-416a-9dac-ad28a55b4402", "Свердловская обл",
          56.8380, 60.5973, "250", ("екатеринбург", "екб"),
          [("пр-кт Ленина", ("ленина",), "620014", 56.8385, 60.6050),
           ("ул Малышева", ("малышева",), "620075", 56.8335, 60.6040)]),
    _city("Казань", "1600000100000", "93b3df57-4c89-44df-ac42-96f05e9cd3b9", "Респ Татарстан", 55.7961, 49.1064,
          "424", ("казан",), [("ул Баумана", ("баумана",), "420111", 55.7890, 49.1215),
                               ("ул Пушкина", ("пушкина",), "420015", 55.7915, 49.1275),
                               ("пр-кт Победы", ("победы",), "420100", 55.7470, 49.2080)]),
]
_FIELDS = ("city", "city_kladr_id", "city_fias_id", "region_with_type")
MOSCOW, SPB, NSK, EKB, KAZAN = ({k: c[k] for k in _FIELDS} for c in CITIES)

ADDRESSES = [
    dict(MOSCOW, key="москва тверская 1", result="г Москва, ул Тверская, д 1", postal_code="125009",
         street_with_type="ул Тверская", house="1", geo_lat="55.7575", geo_lon="37.6130"),
    dict(MOSCOW, key="москва сухонская 11", result="г Москва, ул Сухонская, д 11", postal_code="127642",
         street_with_type="ул Сухонская", house="11", geo_lat="55.8782557", geo_lon="37.65372"),
    dict(NSK, key="новосибирск ленина 10", result="г Новосибирск, ул Ленина, д 10", postal_code="630099",
         street_with_type="ул Ленина", house="10", geo_lat="55.0302", geo_lon="82.9204"),
    dict(KAZAN, key="казань баумана 10", result="г Казань, ул Баумана, д 10", postal_code="420111",
         street_with_type="ул Баумана", house="10", geo_lat="55.7893", geo_lon="49.1210"),
    dict(SPB, key="санкт петербург невский 28", result="г Санкт-Петербург, Невский пр-кт, д 28",
         postal_code="191186", street_with_type="Невский пр-кт", house="28", geo_lat="59.9357",
         geo_lon="30.3259"),
    dict(EKB, key="екатеринбург ленина 24", result="г Екатеринбург, пр-кт Ленина, д 24", postal_code="620014",
         street_with_type="пр-кт Ленина", house="24", geo_lat="56.8387", geo_lon="60.6030"),
]
CDEK_IDS = {c["city_kladr_id"]: c["cdek_id"] for c in CITIES}


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
        if a["key"] in n:
            d = _data(a)
            d["source"] = src
            return d
    words = n.split()
    for c in CITIES:
        if not any(needle in n for needle in c["needles"]):
            continue
        base = {k: c[k] for k in _FIELDS}
        house = next((w for w in reversed(words) if w[:1].isdigit()), None)
        for street, names, postal, lat, lon in c["streets"]:
            if house and all(x in words for x in names):
                # the street's point moved a little along it per house number: distances
                # to the fake CDEK's pickup points stay real and differ from house to house
                num = int(re.match(r"\d+", house).group())
                d = _data(dict(base, result=f"г {c['city']}, {street}, д {house}", postal_code=postal,
                               street_with_type=street, house=house, geo_lat=f"{lat + num * 0.00005:.6f}",
                               geo_lon=f"{lon + num * 0.00003:.6f}"), qc_geo=1)
                d["source"] = src
                return d
        # a street the fake does not know: DaData's answer for it is the city's centre
        rest = src.split(",", 1)[1].strip() if "," in src else src
        return dict(base, source=src, result=f"г {c['city']}, {rest}", postal_code=None, geo_lat=f"{c['lat']}",
                    geo_lon=f"{c['lon']}", qc_geo=4, qc=1, fias_level="4", country="Россия")
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
            words = _norm(str(body.get("query", ""))).split()
            got = [_suggestion(a) for a in ADDRESSES if words and all(w in a["key"].split() for w in words)]
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
