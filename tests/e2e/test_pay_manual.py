"""pay-ecom, the manual path (F-PAY-05): the customer sends a payment
screenshot from the payment message; it is attached to the order and staff
confirm or reject it with buttons: every manager and owner is told in their
own chat, an optional staff chat gets the photo too, and 🛠 → 💳 Оплаты
lists what waits for a decision."""

from __future__ import annotations

import pytest

import hostkit as hk
import test_orders_kit as ok
import test_pay_kit as pk


def screenshot_of(u, oid):
    pk.ask_details(u, oid)
    u.press("📎 Отправить скриншот оплаты")
    assert f"Пришлите скриншот или фото оплаты заказа №{oid}" in u.screen().text
    u.send("я оплатил")
    assert "Это не похоже на скриншот" in u.screen().text
    u.send_photo(caption="перевод", filename="shot.png")
    u.expect(f"✅ Скриншот по заказу №{oid} получен")


@pytest.mark.features("F-PAY-05")
def test_screenshot_confirmed_by_manager_marks_paid(walord, tmp_path, free_port, tgsim):
    m = tgsim.user("Мария")
    group = tgsim.user("Склад")             # a staff chat that is nobody's role: an extra destination
    w = pk.start(walord, tmp_path, free_port, staff_chat=group.id, fiscal=False)
    try:
        m.send("/start")
        group.send("/start")
        ok.make_role(w, m, 2)
        other = tgsim.user("Олег")          # another customer: no notice for him
        other.send("/start")
        u = tgsim.user("Анна")
        u.send("/start")
        oid = pk.new_order(u)
        screenshot_of(u, oid)
        o = pk.order(w, oid)
        assert o["status"] == "new" and o["payment_screenshot"]
        assert pk.row(w, oid)["manual_state"] == "sent"

        notice = m.expect(f"Скриншот оплаты заказа №{oid} на 3 300 ₽")
        assert "Анна" in notice["text"] and "Посмотрите его кнопкой ниже" in notice["text"]
        shot = group.expect(f"Скриншот оплаты заказа №{oid} на 3 300 ₽")
        assert shot["photo"] and "Анна" in shot["caption"]
        assert pk.count_texts(u, "Скриншот оплаты") == 0 and pk.count_texts(other, "Скриншот оплаты") == 0
        m.press("🖼 Посмотреть скриншот")
        assert m.wait_for(lambda chat: any(x.get("photo") for x in chat["messages"] if x["from"] == "bot"),
                          what="the screenshot itself")
        # the customer cannot confirm their own payment, whatever they forge
        u.press_data(f"payadm:ok:{oid}", force=True)
        assert ok.status(w, oid) == "new"

        m.press("✅ Подтвердить оплату")
        m.expect(f"✅ Оплата заказа №{oid} подтверждена.")
        u.expect(f"✅ Оплата заказа №{oid} получена: 3 300 ₽")
        assert ok.status(w, oid) == "paid" and pk.order(w, oid)["payment_ref"] == f"manual:{m.id}"
        assert pk.row(w, oid)["manual_state"] == "confirmed"
        assert hk.scalar(w.db(), "SELECT what FROM wh_action_log WHERE user_id = ? ORDER BY id DESC LIMIT 1",
                         m.id) == f"подтвердил оплату заказа №{oid} вручную"
        m.press("✅ Подтвердить оплату")                     # twice: nothing more
        assert m.last_answer()["text"] == f"Заказ №{oid} уже оплачен."
        assert pk.paid_moves(w, oid) == 1
        # a late webhook of the same order changes nothing either
        inv = pk.invoice_of(w, oid)
        w.fake.set_status(inv, 2)
        assert pk.webhook(w, {"id": inv, "status": 2}) == (200, '{"result":"paid"}')
        assert pk.paid_moves(w, oid) == 1 and pk.count_texts(u, "получена") == 1
        assert w.fake.requests("sell") == []                # fiscal receipts are off here
    finally:
        pk.stop(w)


@pytest.mark.features("F-PAY-05")
def test_screenshot_rejected_from_admin_section_without_staff_chat(walord, tmp_path, free_port, tgsim):
    w = pk.start(walord, tmp_path, free_port)
    try:
        owner = hk.owner(tgsim)
        owner.send("/start")
        u = tgsim.user("Борис")
        u.send("/start")
        oid = pk.new_order(u)
        screenshot_of(u, oid)
        # no staff chat: the owner is told in their chat, and it is no software error report
        owner.expect(f"Скриншот оплаты заказа №{oid} на 3 300 ₽")
        assert not any(msg.get("document") for msg in owner.bot_messages())
        owner.send("/admin")
        owner.press("💳 Оплаты")
        assert "скриншоты на проверке" in owner.screen().text
        owner.press(f"📎 №{oid} — 3 300 ₽: скриншот")
        owner.expect(f"Скриншот оплаты заказа №{oid}")
        owner.press("❌ Отклонить")
        owner.expect(f"❌ Скриншот по заказу №{oid} отклонён, клиенту сообщено.")
        u.expect(f"❌ Оплата заказа №{oid} по скриншоту не подтверждена.")
        assert ok.status(w, oid) == "new" and pk.row(w, oid)["manual_state"] == "rejected"
        owner.press("✅ Подтвердить оплату")                 # the stale photo's other button still works:
        owner.expect(f"✅ Оплата заказа №{oid} подтверждена.")   # a manager may change their mind
        assert ok.status(w, oid) == "paid"
        owner.send("/admin")
        owner.press("💳 Оплаты")
        assert "нет скриншотов на проверке" in owner.screen().text
    finally:
        pk.stop(w)


@pytest.mark.features("F-PAY-05")
def test_screenshot_conversation_cancel_and_closed_order(walord, tmp_path, free_port, tgsim):
    w = pk.start(walord, tmp_path, free_port)
    try:
        u = tgsim.user("Вера")
        u.send("/start")
        oid = pk.new_order(u)
        pk.ask_details(u, oid)
        u.press("📎 Отправить скриншот оплаты")
        u.press("✖️ Отмена")
        assert "скриншот не отправлен" in u.screen().text
        assert pk.row(w, oid)["manual_state"] == ""
        # once the order is cancelled, a screenshot is not taken
        assert ok.cmd(u, f"/ordprobe_cancel {oid} 1") == "cancel:0"
        u.press("📎 Отправить скриншот оплаты")
        assert u.last_answer()["text"] == "Этот заказ уже оплачен или отменён."
        # a conversation left open ends on its own after 10 minutes (the order is still unpaid)
        oid2 = pk.new_order(u)
        pk.ask_details(u, oid2)
        u.press("📎 Отправить скриншот оплаты")
        ok.clock(w, 11 * 60)
        u.send_photo(filename="late.png")
        u.expect("Время на ответ истекло")
        assert ok.status(w, oid2) == "new" and pk.row(w, oid2)["manual_state"] == ""
        assert pk.order(w, oid2)["payment_screenshot"] == ""
    finally:
        pk.stop(w)
