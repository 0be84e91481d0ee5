"""A fake of the CDEK API v2 (shared/design/EXTERNAL-APIS.md §1), stdlib only.

    from fake_cdek import FakeCdek
    cdek = FakeCdek().start()          # cdek.url + "/v2" is the base URL
    cdek.set_price(136, 44, 250.0)     # tariff 136 to city 44 costs 250 ₽
    cdek.fault("/v2/calculator", 503)  # the next tariff call fails (fakehttp.Fake)
    cdek.push_status(uuid, "DELIVERED")  # POSTs an ORDER_STATUS webhook

What it does, as CDEK does:
  POST /v2/oauth/token      client credentials in the query or a form body;
                            401 for unknown ones; a token lives 3599 s
                            (expire_tokens() ends them early)
  every other call          401 {"requests":[{"errors":[{"code":"v2_unauthorized"}]}]}
                            without a live Bearer token
  POST /v2/calculator/tariff  400 with errors[] without tariff_code/packages or an
                            unknown city; else delivery_sum: the price set for
                            (tariff, city), else 200 ₽ (136) / 350 ₽ (137) + 30 ₽ per
                            started kg over the first
  GET  /v2/deliverypoints   bare array filtered by city_code (and type)
  GET  /v2/location/cities  bare array filtered by city / postal_code / code
  POST /v2/orders           202, entity.uuid, request state ACCEPTED; a second
                            order with the same number is 400 v2_entity_invalid
                            (the client must look it up first: idempotency)
  GET  /v2/orders/{uuid}, GET /v2/orders?im_number=  the order; cdek_number and
                            a CREATED status appear after `accept_polls` GETs
                            (0 = at once), or with invalid_orders the request is
                            INVALID with errors[]; unknown: 400 v2_entity_not_found
  POST /v2/webhooks         {"url", "type"}: subscribes (same type replaces)
Control (besides fakehttp's): POST /_ctl/push {"uuid", "code"} → push_status.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
import urllib.request
import uuid as uuidlib
from typing import Any, Dict, List, Optional

from fakehttp import Fake, Response

TEST_ACCOUNT = "wqGwiQx0gg8mLtiEKsUinjVSICCjtTEP"
TEST_SECRET = "RmAmgvSgSl1yirlz9QupbzOJVqhCxcP5"

CITIES = [
    {"code": 44, "city": "Москва", "fias_guid": "0c5b2444-70a0-4932-980c-b4dc0d3f02b5", "country_code": "RU",
     "country": "Россия", "region": "Москва", "postal_codes": ["125009", "101000", "127642"],
     "longitude": 37.6156, "latitude": 55.7522, "time_zone": "Europe/Moscow", "payment_limit": -1.0},
    {"code": 270, "city": "Новосибирск", "fias_guid": "8dea00e3-9aab-4d8e-887c-ef2aaa546456", "country_code": "RU",
     "country": "Россия", "region": "Новосибирская обл.", "postal_codes": ["630099"],
     "longitude": 82.9204, "latitude": 55.0302, "time_zone": "Asia/Novosibirsk", "payment_limit": -1.0},
    {"code": 137, "city": "Санкт-Петербург", "fias_guid": "c2deb16a-0330-4f05-821f-1d09c93331e6",
     "country_code": "RU", "country": "Россия", "region": "Санкт-Петербург", "postal_codes": ["191025", "190031"],
     "longitude": 30.3141, "latitude": 59.9386, "time_zone": "Europe/Moscow", "payment_limit": -1.0},
    {"code": 250, "city": "Екатеринбург", "fias_guid": "2763c110-cb8b-416a-9dac-ad28a55b4402", "country_code": "RU",
     "country": "Россия", "region": "Свердловская обл.", "postal_codes": ["620014", "620075"],
     "longitude": 60.5973, "latitude": 56.8380, "time_zone": "Asia/Yekaterinburg", "payment_limit": -1.0},
    {"code": 424, "city": "Казань", "fias_guid": "93b3df57-4c89-44df-ac42-96f05e9cd3b9", "country_code": "RU",
     "country": "Россия", "region": "Респ. Татарстан", "postal_codes": ["420111", "420015", "420100"],
     "longitude": 49.1064, "latitude": 55.7961, "time_zone": "Europe/Moscow", "payment_limit": -1.0},
]


def _point(code, name, city_code, city, lat, lon, address, work_time="Пн-Пт 09:00-20:00, Сб-Вс 10:00-16:00"):
    return {"code": code, "name": name, "uuid": str(uuidlib.uuid5(uuidlib.NAMESPACE_DNS, code)), "type": "PVZ",
            "owner_code": "CDEK", "work_time": work_time, "work_time_list": [{"day": 1, "time": "09:00/20:00"}],
            "phones": [{"number": "+74950000000"}], "take_only": False, "is_handout": True, "is_reception": True,
            "have_cashless": True, "have_cash": True, "allowed_cod": True, "weight_min": 0, "weight_max": 30,
            "location": {"country_code": "RU", "city_code": city_code, "city": city, "postal_code": "",
                         "longitude": lon, "latitude": lat, "address": address,
                         "address_full": f"Россия, {city}, {address}"}}


# Moscow points around Tverskaya 1 (55.7575, 37.6130), at growing distances
POINTS = [
    _point("MSK5", "На Арбате", 44, "Москва", 55.7520, 37.5900, "ул. Арбат, 10"),
    _point("MSK1", "На Тверской", 44, "Москва", 55.7580, 37.6140, "ул. Тверская, 3"),
    _point("MSK9", "В Бутово", 44, "Москва", 55.5400, 37.5300, "ул. Грина, 1"),
    _point("MSK2", "На Охотном ряду", 44, "Москва", 55.7570, 37.6170, "Охотный ряд, 2"),
    _point("MSK3", "На Петровке", 44, "Москва", 55.7640, 37.6160, "ул. Петровка, 20", "Ежедневно 10:00-22:00"),
    _point("MSK7", "В Химках", 44, "Москва", 55.8900, 37.4450, "Ленинградское ш., 1"),
    _point("NSK1", "На Ленина", 270, "Новосибирск", 55.0300, 82.9200, "ул. Ленина, 12"),
    _point("NSK2", "На Красном", 270, "Новосибирск", 55.0400, 82.9250, "Красный пр-т, 50"),
    # the other cities: near the streets the DaData fake knows there (fake_dadata.CITIES)
    _point("SPB1", "На Невском", 137, "Санкт-Петербург", 59.9350, 30.3270, "Невский пр-т, 30"),
    _point("SPB2", "На Садовой", 137, "Санкт-Петербург", 59.9260, 30.3170, "ул. Садовая, 40"),
    _point("EKB1", "На Ленина", 250, "Екатеринбург", 56.8390, 60.6100, "пр-т Ленина, 30"),
    _point("EKB2", "На Малышева", 250, "Екатеринбург", 56.8330, 60.6080, "ул. Малышева, 50"),
    _point("KZN1", "На Баумана", 424, "Казань", 55.7880, 49.1230, "ул. Баумана, 19"),
    _point("KZN2", "На Пушкина", 424, "Казань", 55.7910, 49.1280, "ул. Пушкина, 5"),
    _point("KZN3", "На Победы", 424, "Казань", 55.7480, 49.2090, "пр-т Победы, 91"),
]

STATUS_NAMES = {"ACCEPTED": "Принят", "CREATED": "Создан", "RECEIVED_AT_SHIPMENT_WAREHOUSE": "Принят на склад",
                "TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY": "Выдан на отправку", "ACCEPTED_AT_PICK_UP_POINT":
                "Готов к выдаче", "DELIVERED": "Вручен", "NOT_DELIVERED": "Не вручен",
                "ARRIVED_AT_RECIPIENT_CITY": "Прибыл в г. получателя", "TAKEN_BY_COURIER": "Выдан на доставку",
                "RETURNED_TO_SENDER_CITY_WAREHOUSE": "Возвращен на склад отправителя", "REMOVED": "Удален"}


def _err(status: int, code: str, message: str) -> Response:
    return Response(status, {"errors": [{"code": code, "message": message}]})


class FakeCdek(Fake):
    name = "fake-cdek"

    def __init__(self) -> None:
        super().__init__()
        self.tokens: Dict[str, bool] = {}
        self.prices: Dict[tuple, float] = {}
        self.points: List[dict] = [dict(p) for p in POINTS]
        self.orders: Dict[str, dict] = {}
        self.webhooks: Dict[str, str] = {}
        self.accept_polls = 0
        self.invalid_orders = False   # True: new orders fail CDEK's later validation (state INVALID)
        self.next_cdek_number = 1106207200

    # ---- Python control
    def set_price(self, tariff: int, city_code: int, rub: float) -> None:
        with self.lock:
            self.prices[(int(tariff), int(city_code))] = float(rub)

    def expire_tokens(self) -> None:
        with self.lock:
            for t in self.tokens:
                self.tokens[t] = False

    def token_count(self) -> int:
        with self.lock:
            return len(self.tokens)

    def order_by_number(self, number: str) -> Optional[dict]:
        with self.lock:
            for o in self.orders.values():
                if o["number"] == number:
                    return o
        return None

    def push_status(self, order_uuid: str, code: str, url: Optional[str] = None, number: Optional[str] = None,
                    when: Optional[str] = None) -> int:
        """POSTs an ORDER_STATUS webhook as CDEK would; returns the HTTP status walord answered.
        when: the status's date_time (CDEK's "2026-11-24T10:00:00+0300" form)."""
        with self.lock:
            o = self.orders.get(order_uuid)
            if o and code not in [s["code"] for s in o["statuses"]]:
                o["statuses"].insert(0, {"code": code, "name": STATUS_NAMES.get(code, code),
                                         "date_time": when or "2026-11-24T10:00:00+0300", "city": "Москва"})
            url = url or self.webhooks.get("ORDER_STATUS")
            payload = {"type": "ORDER_STATUS", "date_time": "2026-11-24T10:00:00+0300", "uuid": order_uuid,
                       "attributes": {"is_return": False, "is_reverse": False, "is_client_return": False,
                                      "cdek_number": (o or {}).get("cdek_number", ""),
                                      "number": number or (o or {}).get("number", ""), "code": code,
                                      "status_code": "4", "status_reason_code": "",
                                      "status_date_time": "2026-11-24T10:00:00+0300", "city_name": "Москва",
                                      "city_code": "44", "related_entities": []}}
        assert url, "no webhook subscribed"
        req = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    def control(self, what: str, arg: dict) -> Optional[Response]:
        if what == "push":
            return Response(200, {"status": self.push_status(arg["uuid"], arg["code"], arg.get("url"))})
        if what == "price":
            self.set_price(arg["tariff"], arg["city_code"], arg["rub"])
            return Response(200, {"ok": True})
        if what == "expire_tokens":
            self.expire_tokens()
            return Response(200, {"ok": True})
        return None

    # ---- the API
    def handle(self, method: str, path: str, q: dict, hdrs: dict, body: Any) -> Response:
        if not path.startswith("/v2/"):
            return Response(404, {"error": "not found"})
        p = path[4:]
        if p == "oauth/token" and method == "POST":
            return self._token(q, body)
        auth = hdrs.get("authorization", "")
        tok = auth[7:] if auth.lower().startswith("bearer ") else ""
        with self.lock:
            live = self.tokens.get(tok, False)
        if not live:
            return Response(401, {"requests": [{"type": "GET", "state": "INVALID", "errors": [
                {"code": "v2_unauthorized", "message": "invalid_token"}]}]})
        if p == "calculator/tariff" and method == "POST":
            return self._tariff(body)
        if p == "deliverypoints" and method == "GET":
            return self._points(q)
        if p == "location/cities" and method == "GET":
            return self._cities(q)
        if p == "orders" and method == "POST":
            return self._order_new(body)
        if p == "orders" and method == "GET":
            return self._order_find(q)
        if p.startswith("orders/") and method == "GET":
            return self._order_get(p[7:])
        if p == "webhooks" and method == "POST":
            if not isinstance(body, dict) or not body.get("url") or not body.get("type"):
                return _err(400, "v2_field_is_empty", "url and type are required")
            with self.lock:
                self.webhooks[body["type"]] = body["url"]
            return Response(200, {"entity": {"uuid": str(uuidlib.uuid4())},
                                   "requests": [{"type": "CREATE", "state": "SUCCESSFUL"}]})
        return _err(404, "v2_bad_request", "no such method")

    def _token(self, q: dict, body: Any) -> Response:
        form = dict(q)
        if isinstance(body, (bytes, bytearray)) and body:
            form.update({k: v[-1] for k, v in urllib.parse.parse_qs(body.decode()).items()})
        if form.get("grant_type") != "client_credentials" or form.get("client_id") != TEST_ACCOUNT \
                or form.get("client_secret") != TEST_SECRET:
            return Response(401, {"error": "invalid_client", "error_description": "Bad credentials"})
        t = "fake-" + uuidlib.uuid4().hex
        with self.lock:
            self.tokens[t] = True
        return Response(200, {"access_token": t, "token_type": "bearer", "expires_in": 3599,
                              "scope": "order:all payment:all", "jti": uuidlib.uuid4().hex})

    def _tariff(self, b: Any) -> Response:
        if not isinstance(b, dict) or "tariff_code" not in b:
            return _err(400, "v2_field_is_empty", "tariff_code is empty")
        pk = b.get("packages")
        if not pk or not isinstance(pk, list) or not all(isinstance(x, dict) and x.get("weight") for x in pk):
            return _err(400, "v2_field_is_empty", "packages[0].weight is empty")
        to = (b.get("to_location") or {}).get("code")
        if to not in [c["code"] for c in CITIES]:
            return _err(400, "v2_entity_not_found", f"to_location {to} is not recognized")
        tariff = int(b["tariff_code"])
        if tariff not in (136, 137):
            return _err(400, "v2_bad_request", "tariff is not available")
        weight = sum(int(x["weight"]) for x in pk)
        with self.lock:
            rub = self.prices.get((tariff, int(to)))
        if rub is None:
            rub = (200.0 if tariff == 136 else 350.0) + 30.0 * max(0, -(-(weight - 1000) // 1000))
        return Response(200, {"delivery_sum": rub, "period_min": 2, "period_max": 4, "calendar_min": 2,
                              "calendar_max": 5, "weight_calc": weight, "services": [], "total_sum": rub,
                              "currency": "RUB"})

    def _points(self, q: dict) -> Response:
        with self.lock:
            pts = list(self.points)
        if q.get("city_code"):
            pts = [p for p in pts if str(p["location"]["city_code"]) == q["city_code"]]
        if q.get("type") and q["type"] != "ALL":
            pts = [p for p in pts if p["type"] == q["type"]]
        return Response(200, pts)

    def _cities(self, q: dict) -> Response:
        out = []
        for c in CITIES:
            if q.get("city") and q["city"].lower() != c["city"].lower():
                continue
            if q.get("postal_code") and q["postal_code"] not in c["postal_codes"]:
                continue
            if q.get("code") and q["code"] != str(c["code"]):
                continue
            out.append({k: v for k, v in c.items() if k != "postal_codes"})
        return Response(200, out)

    def _order_new(self, b: Any) -> Response:
        if not isinstance(b, dict) or "tariff_code" not in b:
            return _err(400, "v2_field_is_empty", "tariff_code is empty")
        rec = b.get("recipient") or {}
        if not rec.get("name") or not rec.get("phones"):
            return _err(400, "v2_field_is_empty", "recipient.name/phones is empty")
        if b["tariff_code"] == 136 and not b.get("delivery_point"):
            return _err(400, "v2_field_is_empty", "delivery_point is empty")
        if b["tariff_code"] == 137 and not (b.get("to_location") or {}).get("address"):
            return _err(400, "v2_field_is_empty", "to_location.address is empty")
        number = str(b.get("number") or "")
        if number and self.order_by_number(number):
            return _err(400, "v2_entity_invalid", f"order with number {number} already exists")
        u = str(uuidlib.uuid4())
        with self.lock:
            self.orders[u] = {"uuid": u, "number": number, "tariff_code": b["tariff_code"], "request": b,
                              "invalid": self.invalid_orders,
                              "polls": 0, "statuses": [{"code": "ACCEPTED", "name": "Принят",
                                                        "date_time": "2026-11-24T10:00:00+0300"}]}
        return Response(202, {"entity": {"uuid": u}, "requests": [
            {"request_uuid": str(uuidlib.uuid4()), "type": "CREATE", "date_time": "2026-11-24T10:00:00+0000",
             "state": "ACCEPTED"}], "related_entities": []})

    def _entity(self, o: dict) -> Response:
        with self.lock:
            o["polls"] += 1
            if o.get("invalid"):
                return Response(200, {"entity": {"uuid": o["uuid"], "number": o["number"], "statuses": [
                    {"code": "INVALID", "name": "Некорректный заказ", "date_time": "2026-11-24T10:00:05+0000"}]},
                    "requests": [{"type": "CREATE", "state": "INVALID", "errors": [
                        {"code": "v2_entity_invalid", "message": "Не указан телефон получателя"}]}]})
            if o["polls"] > self.accept_polls and "cdek_number" not in o:
                o["cdek_number"] = str(self.next_cdek_number)
                self.next_cdek_number += 1
                o["statuses"].insert(0, {"code": "CREATED", "name": "Создан",
                                         "date_time": "2026-11-24T10:00:05+0000"})
            ent = {"uuid": o["uuid"], "number": o["number"], "tariff_code": o["tariff_code"],
                   "statuses": list(o["statuses"])}
            state = "WAITING"
            if "cdek_number" in o:
                ent["cdek_number"] = o["cdek_number"]
                state = "SUCCESSFUL"
        return Response(200, {"entity": ent, "requests": [{"type": "CREATE", "state": state,
                                                          "date_time": "2026-11-24T10:00:00+0000"}]})

    def _order_get(self, u: str) -> Response:
        with self.lock:
            o = self.orders.get(u)
        if not o:
            return Response(400, {"requests": [{"type": "GET", "state": "INVALID", "errors": [
                {"code": "v2_entity_not_found", "message": f"Entity is not found by uuid {u}"}]}]})
        return self._entity(o)

    def _order_find(self, q: dict) -> Response:
        o = self.order_by_number(q.get("im_number", "")) if q.get("im_number") else None
        if not o:
            return Response(400, {"requests": [{"type": "GET", "state": "INVALID", "errors": [
                {"code": "v2_entity_not_found_im_number", "message": "Entity is not found"}]}]})
        return self._entity(o)


def main() -> None:  # python3 fake_cdek.py: run it by hand next to the demo
    f = FakeCdek().start()
    print(f"fake CDEK at {f.url}/v2", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
