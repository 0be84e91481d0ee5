/* backup-gdrive: every text the owners read (merchants override them in
 * a conf.d/texts/ file, section [backup-gdrive]). */
#include <stddef.h>

const char *const bk_texts[][2] = {
    /* what went wrong (also stored in the history) */
    {"backup-gdrive.err.stopped", "walord остановился во время бэкапа — архив не создан"},
    {"backup-gdrive.err.never_ran", "бэкап так и не запустился за сутки"},
    {"backup-gdrive.err.disk_full", "На диске не хватает места: освободите место в папке бэкапов и на диске базы."},
    {"backup-gdrive.err.copy", "копия базы не сделана"},
    {"backup-gdrive.err.manifest", "опись копии не составлена"},
    {"backup-gdrive.err.zip", "архив не записан"},
    {"backup-gdrive.err.encrypt", "архив не зашифрован"},
    {"backup-gdrive.err.record", "архив не записан в историю"},
    {"backup-gdrive.err.no_dir",
     "папки бэкапов {dir} нет и создать её не вышло: создайте её (владелец — пользователь walor)"},
    {"backup-gdrive.err.key", "ключ сервисного аккаунта не подходит для подписи (нужен RSA-ключ из JSON-файла Google)"},
    {"backup-gdrive.err.too_big", "файл больше, чем можно прислать в Telegram"},
    {"backup-gdrive.err.archive_gone", "архива уже нет в папке бэкапов — загружать нечего"},

    /* to the owners */
    {"backup-gdrive.caption",
     "💾 Бэкап №{id} · {when}\n{size} · таблиц: {tables}, строк: {rows}{lock}\nSHA-256: <code>{sha}…</code>\n"
     "Восстановление: <code>walorctl restore ФАЙЛ</code>"},
    {"backup-gdrive.caption.encrypted", " · 🔒 зашифрован"},
    {"backup-gdrive.too_big",
     "💾 Бэкап №{id} готов, но архив ({size}) больше {limit} — столько Telegram не даёт боту прислать. "
     "Он лежит на сервере в папке <code>{dir}</code>{drive}"},
    {"backup-gdrive.too_big.drive", " и загружается на Google Диск."},
    {"backup-gdrive.too_big.no_drive", ". Подключите Google Диск, чтобы копия хранилась и вне сервера."},
    {"backup-gdrive.done", "💾 Бэкап №{id} готов: {size}, файл <code>{file}</code> в папке бэкапов."},
    {"backup-gdrive.failed", "❌ Бэкап №{id} не сделан: {why}"},
    {"backup-gdrive.get.gone", "Этого архива больше нет: он удалён по сроку хранения."},
    {"backup-gdrive.get.too_big",
     "Файл ({size}) больше {limit} — Telegram не даёт боту прислать его. Возьмите его на сервере или на Google Диске."},
    {"backup-gdrive.get.caption", "💾 Бэкап №{id} · {when}\nSHA-256: <code>{sha}…</code>"},
    {"backup-gdrive.get.drive_failed", "Не удалось скачать архив с Google Диска: {why}"},
    {"backup-gdrive.db.failed", "❌ Копия базы не сделана: {why}"},
    {"backup-gdrive.db.caption",
     "🗄 База магазина на {when} — согласованная копия, проверенная PRAGMA "
     "integrity_check. "
     "Храните её как пароль: в ней все клиенты и заказы."},
    {"backup-gdrive.drive.failed",
     "☁️ Google Диск не принял бэкап №{id}: {why}{hint}\n"
     "Архив цел и хранится на сервере. Об этой ошибке больше не напомню, "
     "пока она не изменится."},
    {"backup-gdrive.drive.hint_quota",
     "\n\nУ сервисного аккаунта Google нет своего места на Диске. Нужен <b>общий диск</b> (Google Workspace), куда "
     "аккаунт добавлен участником с правом «Менеджер контента», и его id в <code>drive_folder_id</code>, — или "
     "подключение через OAuth вашего аккаунта Google (<code>drive = oauth</code>; так работает и обычный @gmail.com)."},
    {"backup-gdrive.drive.hint_grant",
     "\n\nGoogle не принимает ключ или токен: ключ сервисного аккаунта удалён или отозван, токен OAuth истёк — "
     "выпустите новый и укажите его в настройках."},
    {"backup-gdrive.drive.hint_folder",
     "\n\nПапка не найдена: проверьте <code>drive_folder_id</code> и что аккаунт добавлен в общий диск."},
    {"backup-gdrive.drive.back",
     "☁️ Google Диск снова принимает бэкапы: №{id} загружен."},

    /* the section */
    {"backup-gdrive.st.ok", "✅"},
    {"backup-gdrive.st.failed", "❌"},
    {"backup-gdrive.st.running", "⏳"},
    {"backup-gdrive.st.queued", "🕓"},
    {"backup-gdrive.tg.sent", "📨 Telegram"},
    {"backup-gdrive.tg.too_big", "📨 не влез в Telegram"},
    {"backup-gdrive.tg.failed", "📨 не отправлен"},
    {"backup-gdrive.gd.ok", "☁️ Google Диск"},
    {"backup-gdrive.gd.failed", "☁️ не загружен"},
    {"backup-gdrive.gd.deleted", "☁️ удалён по сроку"},
    {"backup-gdrive.gd.pending", "☁️ загружается"},
    {"backup-gdrive.local", "🗄 на сервере"},
    {"backup-gdrive.why.daily", "ежедневный"},
    {"backup-gdrive.why.manual", "вручную"},
    {"backup-gdrive.adm.title",
     "<b>💾 Бэкапы</b>\n\nПоследний: {last}\n{daily}\nTelegram: {tg}\nGoogle Диск: {drive}\nШифрование: {lock}\n"
     "На сервере хранятся последние {keep}.{busy}{error}"},
    {"backup-gdrive.adm.none", "ещё не было"},
    {"backup-gdrive.adm.last", "{state} №{id} · {when} · {size} · {where}"},
    {"backup-gdrive.adm.daily", "Ежедневно в {time} (время магазина)"},
    {"backup-gdrive.adm.daily_off", "Ежедневный бэкап выключен (time = off)"},
    {"backup-gdrive.adm.tg_on", "архив приходит владельцам"},
    {"backup-gdrive.adm.tg_off", "не отправляется"},
    {"backup-gdrive.adm.enc_on", "🔒 AES-256-GCM"},
    {"backup-gdrive.adm.enc_off", "выключено"},
    {"backup-gdrive.adm.drive_sa", "сервисный аккаунт, общий диск"},
    {"backup-gdrive.adm.drive_oauth", "аккаунт Google (OAuth)"},
    {"backup-gdrive.adm.drive_off", "не подключён"},
    {"backup-gdrive.adm.busy", "\n\n⏳ Сейчас делается бэкап №{id}."},
    {"backup-gdrive.adm.error", "\n\n⚠️ Последняя ошибка (№{id}): {why}"},
    {"backup-gdrive.adm.history", "<b>📜 История бэкапов</b>"},
    {"backup-gdrive.adm.history_none", "<b>📜 История бэкапов</b>\n\nБэкапов ещё не было."},
    {"backup-gdrive.adm.row",
     "{state} <b>№{id}</b> · {when} · {why} · {size}{lock}\n{where} · SHA-256 <code>{sha}</code>{error}"},
    {"backup-gdrive.adm.row_error", "\n⚠️ {why}"},
    {"backup-gdrive.adm.already", "Бэкап №{id} уже делается — второй не нужен. Он придёт, как только будет готов."},
    {"backup-gdrive.adm.started", "Бэкап №{id} запущен: архив придёт, как только будет готов."},
    {"backup-gdrive.adm.preparing", "Готовлю архив №{id}…"},
    {"backup-gdrive.adm.preparing_db", "Делаю копию базы…"},
    {"backup-gdrive.btn.now", "▶️ Сделать бэкап сейчас"},
    {"backup-gdrive.btn.history", "📜 История"},
    {"backup-gdrive.btn.db", "📥 Скачать базу (.db)"},
    {"backup-gdrive.btn.admin", "⬅️ Админ-панель"},
    {"backup-gdrive.btn.back", "⬅️ Бэкапы"},
    {"backup-gdrive.btn.get", "📥 Архив №{id}"},
    {"backup-gdrive.btn.newer", "◀️ Новее"},
    {"backup-gdrive.btn.older", "Старше ▶️"},
};
const size_t bk_ntexts = sizeof bk_texts / sizeof bk_texts[0];
