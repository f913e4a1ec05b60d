/* The sandbox web chat: one simulated person's private chat with the bot, over the control API.
 *
 * Plain script, no build step and nothing from the network. Message text is never parsed as
 * HTML: every message is drawn from its plain text and Telegram entities (which the sandbox
 * derives from the bot's HTML), with DOM nodes from an allow-list and textContent only.
 */
"use strict";

(function () {
  const POLL_MS = 700; // the usual pace
  const BURST_MS = 200; // right after the person acted, to show the answer promptly
  const BURST_FOR_MS = 4000;
  const FULL_EVERY = 4; // re-read the whole chat every few polls: edits and deletions
  const PEOPLE_EVERY = 8; // and the people and the bot's commands now and then
  const ANSWER_WAIT_MS = 6000;
  const LINK_SCHEMES = ["http:", "https:", "mailto:", "tel:"];

  const STRINGS = {
    zh: {
      peopleLabel: "扮演的人員",
      person: "扮演",
      pick: "— 選擇人員 —",
      newPerson: "＋ 新增人員",
      newPersonTitle: "新增人員",
      firstName: "名字",
      language: "語言",
      create: "建立",
      cancel: "取消",
      botName: "社安網協作機器人",
      sandboxNote: "沙盒：不連線 Telegram",
      conversation: "對話",
      emptyChat: "還沒有訊息。",
      firstSteps:
        "第一次使用？在終端機執行 .venv/bin/safetynet invite --role admin 取得邀請碼，" +
        "然後在下方傳送「/start 邀請碼」。",
      close: "關閉",
      commandMenu: "指令選單",
      message: "訊息",
      placeholder: "輸入訊息…",
      send: "傳送",
      noBot:
        "機器人還沒有連上沙盒。請在終端機執行 make run（不要設定 TELEGRAM_BOT_TOKEN），" +
        "這個頁面會自動連上。",
      noPerson:
        "請先在上方選擇一位人員，或按「＋ 新增人員」。每位人員有自己的對話；" +
        "開兩個分頁就能同時扮演兩個人。",
      unknownPerson: "沙盒裡沒有人員 {id}（沙盒重新啟動後人員會清空）。請重新選擇或新增。",
      offline: "連不上沙盒，稍後自動重試…",
      noCommands: "機器人還沒有設定指令。",
      edited: "已編輯",
      photo: "照片",
      document: "文件",
      sticker: "貼圖",
      voice: "語音訊息",
      location: "位置",
      spoiler: "隱藏內容，按一下顯示",
      bot: "機器人：",
      you: "你：",
      buttons: "按鈕",
      keyboard: "回覆鍵盤",
      unsupported: "沙盒不支援這種按鈕",
      pressFailed: "按鈕沒有作用：{reason}",
      sendFailed: "訊息沒有送出：{reason}",
      createFailed: "無法新增人員：{reason}",
      created: "已新增 {name}，現在扮演 {name}。",
      title: "{name}・社安網沙盒聊天",
    },
    en: {
      peopleLabel: "Simulated person",
      person: "Playing",
      pick: "— pick a person —",
      newPerson: "+ New person",
      newPersonTitle: "New person",
      firstName: "First name",
      language: "Language",
      create: "Create",
      cancel: "Cancel",
      botName: "Social safety net bot",
      sandboxNote: "Sandbox: not connected to Telegram",
      conversation: "Conversation",
      emptyChat: "No messages yet.",
      firstSteps:
        "First time? Run .venv/bin/safetynet invite --role admin in a terminal for an invite " +
        "code, then send “/start CODE” below.",
      close: "Close",
      commandMenu: "Command menu",
      message: "Message",
      placeholder: "Message…",
      send: "Send",
      noBot:
        "No bot has connected to the sandbox yet. Run make run in a terminal (without " +
        "TELEGRAM_BOT_TOKEN); this page connects by itself.",
      noPerson:
        "Pick a person above, or press “+ New person”. Each person has their own chat; " +
        "open two tabs to play two people side by side.",
      unknownPerson:
        "The sandbox has no person {id} (people are gone after a restart). Pick or create one.",
      offline: "Cannot reach the sandbox; retrying…",
      noCommands: "The bot has not set any commands yet.",
      edited: "edited",
      photo: "Photo",
      document: "Document",
      sticker: "Sticker",
      voice: "Voice message",
      location: "Location",
      spoiler: "Hidden text, press to show",
      bot: "Bot: ",
      you: "You: ",
      buttons: "Buttons",
      keyboard: "Reply keyboard",
      unsupported: "The sandbox does not support this kind of button",
      pressFailed: "The button did nothing: {reason}",
      sendFailed: "The message was not sent: {reason}",
      createFailed: "Could not create the person: {reason}",
      created: "Created {name}; you are now playing {name}.",
      title: "{name} · safety net sandbox chat",
    },
  };

  const params = new URLSearchParams(window.location.search);
  const LANG = pickLanguage();

  function pickLanguage() {
    const asked = (params.get("lang") || "").toLowerCase();
    if (asked.startsWith("en")) return "en";
    if (asked.startsWith("zh")) return "zh";
    const preferred = (navigator.languages && navigator.languages[0]) || navigator.language || "";
    return preferred.toLowerCase().startsWith("en") ? "en" : "zh";
  }

  function t(key, vars) {
    let text = STRINGS[LANG][key] || STRINGS.zh[key] || key;
    for (const [name, value] of Object.entries(vars || {})) {
      text = text.split("{" + name + "}").join(String(value));
    }
    return text;
  }

  const $ = (id) => document.getElementById(id);
  const els = {
    person: $("person"),
    newToggle: $("new-person-toggle"),
    newForm: $("new-person"),
    newName: $("new-name"),
    newLang: $("new-lang"),
    newCancel: $("new-cancel"),
    botName: $("bot-name"),
    botHandle: $("bot-handle"),
    notice: $("notice"),
    messages: $("messages"),
    empty: $("empty"),
    toast: $("toast"),
    toastText: $("toast-text"),
    toastClose: $("toast-close"),
    menu: $("command-menu"),
    menuList: $("command-list"),
    menuButton: $("menu-button"),
    replyKeyboard: $("reply-keyboard"),
    composer: $("composer"),
    text: $("text"),
  };

  const state = {
    userId: null,
    users: null, // null until first loaded
    bot: null,
    botsLoaded: false,
    online: true,
    lastId: 0,
    messages: new Map(), // message_id -> {key, el, data}
    tick: 0,
    generation: 0,
    needFull: true,
    burstUntil: 0,
    fullUntil: 0,
    timer: null,
    running: false,
    again: false,
    toastTimer: null,
  };

  // --- small helpers ----------------------------------------------------------------------------

  function node(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined && text !== null) el.textContent = text;
    return el;
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  async function api(method, path, body) {
    const init = { method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      data = null;
    }
    if (!response.ok) {
      const error = new Error((data && data.description) || "HTTP " + response.status);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  function safeUrl(raw) {
    try {
      const url = new URL(raw, window.location.href);
      return LINK_SCHEMES.includes(url.protocol) ? url.href : null;
    } catch (_) {
      return null;
    }
  }

  function formatSize(bytes) {
    if (typeof bytes !== "number") return "";
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + " KB";
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  function fileUrl(fileId) {
    return "/sandbox/files/" + encodeURIComponent(fileId);
  }

  // --- labels -----------------------------------------------------------------------------------

  function applyLabels() {
    document.documentElement.lang = LANG === "en" ? "en" : "zh-Hant-TW";
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const el of document.querySelectorAll("[data-i18n-aria-label]")) {
      el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
    }
    for (const el of document.querySelectorAll("[data-i18n-title]")) {
      el.setAttribute("title", t(el.dataset.i18nTitle));
    }
    for (const el of document.querySelectorAll("[data-i18n-placeholder]")) {
      el.setAttribute("placeholder", t(el.dataset.i18nPlaceholder));
    }
    els.newLang.value = LANG === "en" ? "en" : "zh-hant";
    const hint = node("span", "hint", t("firstSteps"));
    els.empty.append(document.createElement("br"), hint);
  }

  // --- Telegram entities to DOM -----------------------------------------------------------------

  function entityElement(entity, inner) {
    switch (entity.type) {
      case "bold":
        return node("strong");
      case "italic":
        return node("em");
      case "underline":
        return node("u");
      case "strikethrough":
        return node("s");
      case "code":
        return node("code");
      case "pre": {
        const pre = node("pre");
        if (entity.language) pre.dataset.language = String(entity.language);
        return pre;
      }
      case "blockquote":
      case "expandable_blockquote":
        return node("blockquote");
      case "spoiler": {
        const span = node("span", "spoiler");
        span.tabIndex = 0;
        span.setAttribute("role", "button");
        span.setAttribute("aria-pressed", "false");
        span.title = t("spoiler");
        return span;
      }
      case "text_link":
      case "url":
      case "email":
      case "phone_number": {
        let target = entity.url || inner;
        if (entity.type === "url" && !/^[a-z][a-z0-9+.-]*:/i.test(target)) {
          target = "http://" + target;
        }
        if (entity.type === "email") target = "mailto:" + inner;
        if (entity.type === "phone_number") target = "tel:" + inner.replace(/[^0-9+]/g, "");
        const href = safeUrl(target);
        if (!href) return node("span", "link-off");
        const a = node("a");
        a.href = href;
        if (!href.startsWith("mailto:") && !href.startsWith("tel:")) {
          a.target = "_blank";
          a.rel = "noopener noreferrer";
        }
        return a;
      }
      case "bot_command": {
        const button = node("button", "command-link");
        button.type = "button";
        button.dataset.command = inner;
        return button;
      }
      case "mention":
      case "hashtag":
      case "cashtag":
      case "text_mention":
        return node("span", "mention");
      default:
        return null; // custom_emoji and anything new: just the text
    }
  }

  function renderText(text, entities) {
    const root = document.createDocumentFragment();
    const list = (entities || [])
      .filter((e) => Number.isInteger(e.offset) && Number.isInteger(e.length) && e.length > 0)
      .map((e) => Object.assign({}, e, { end: e.offset + e.length }));
    fill(root, text, 0, text.length, list);
    return root;
  }

  function byStart(a, b) {
    return a.offset - b.offset || b.end - a.end;
  }

  // Entities nest like tags; one that crosses its parent's end is split in two (as tdlib does).
  function fill(parent, text, start, end, entities) {
    let pending = entities.filter((e) => e.end > start && e.offset < end).sort(byStart);
    let pos = start;
    while (pending.length) {
      const entity = pending.shift();
      const from = Math.max(entity.offset, pos);
      const to = Math.min(entity.end, end);
      if (from >= to) continue;
      if (from > pos) parent.appendChild(document.createTextNode(text.slice(pos, from)));
      const inside = [];
      const rest = [];
      for (const other of pending) (other.offset < to ? inside : rest).push(other);
      const el = entityElement(entity, text.slice(from, to));
      if (el) {
        fill(el, text, from, to, inside);
        parent.appendChild(el);
      } else {
        fill(parent, text, from, to, inside);
      }
      for (const other of inside) {
        if (other.end > to) rest.push(Object.assign({}, other, { offset: to }));
      }
      pending = rest.sort(byStart);
      pos = to;
    }
    if (pos < end) parent.appendChild(document.createTextNode(text.slice(pos, end)));
  }

  // --- messages ---------------------------------------------------------------------------------

  function renderMessage(m) {
    const fromBot = m.from === "bot";
    const wrap = node("div", "msg " + (fromBot ? "bot" : "user"));
    wrap.dataset.messageId = String(m.message_id);
    wrap.dataset.from = m.from;
    wrap.tabIndex = -1;
    const bubble = node("div", "bubble");
    bubble.appendChild(node("span", "visually-hidden", t(fromBot ? "bot" : "you")));

    if (m.reply_to_message_id && state.messages.has(m.reply_to_message_id)) {
      const quoted = state.messages.get(m.reply_to_message_id).data;
      const text = quoted.text || (quoted.document && quoted.document.file_name) || "…";
      bubble.appendChild(node("div", "quote", text.length > 80 ? text.slice(0, 80) + "…" : text));
    }
    if (m.photo) {
      const img = node("img", "photo");
      img.src = fileUrl(m.photo.file_id);
      img.alt = m.text || t("photo");
      if (m.photo.width) img.width = m.photo.width;
      if (m.photo.height) img.height = m.photo.height;
      bubble.appendChild(img);
    }
    if (m.document) {
      const a = node("a", "document");
      a.href = fileUrl(m.document.file_id);
      a.download = m.document.file_name || "file";
      const icon = node("span", "document-icon", "↓"); // drawn by CSS: no emoji font needed
      icon.setAttribute("aria-hidden", "true");
      a.appendChild(icon);
      const label = node("span", "document-label");
      label.appendChild(node("span", "document-name", m.document.file_name || t("document")));
      label.appendChild(
        node("span", "document-size", formatSize(m.document.file_size) || t("document")),
      );
      a.appendChild(label);
      bubble.appendChild(a);
    }
    if (m.sticker) {
      const sticker = node("span", "sticker", m.sticker.emoji || "🙂");
      sticker.setAttribute("role", "img");
      sticker.setAttribute("aria-label", t("sticker"));
      bubble.appendChild(sticker);
    }
    if (m.voice) {
      const audio = node("audio", "voice");
      audio.controls = true;
      audio.src = fileUrl(m.voice.file_id);
      audio.setAttribute("aria-label", t("voice"));
      bubble.appendChild(audio);
    }
    if (m.location) {
      const where = m.location.latitude + ", " + m.location.longitude;
      bubble.appendChild(node("div", "location", "📍 " + t("location") + " " + where));
    }
    if (m.text) {
      const body = node("div", "text");
      body.appendChild(renderText(m.text, m.entities));
      bubble.appendChild(body);
    }
    const meta = node("span", "meta");
    if (m.edited) meta.appendChild(node("span", "edited", t("edited")));
    const time = node("time");
    const when = new Date(m.date * 1000);
    time.dateTime = when.toISOString();
    time.textContent = when.toLocaleTimeString(LANG === "en" ? "en" : "zh-TW", {
      hour: "2-digit",
      minute: "2-digit",
    });
    meta.appendChild(time);
    bubble.appendChild(meta);
    wrap.appendChild(bubble);

    if (m.buttons && m.buttons.length) wrap.appendChild(renderButtons(m));
    return wrap;
  }

  function renderButtons(m) {
    const keyboard = node("div", "keyboard");
    keyboard.setAttribute("role", "group");
    keyboard.setAttribute("aria-label", t("buttons"));
    for (const row of m.buttons) {
      const line = node("div", "row");
      for (const spec of row) {
        if (spec.url) {
          const href = safeUrl(spec.url);
          const a = node("a", "key link-key", spec.text);
          if (href) {
            a.href = href;
            a.target = "_blank";
            a.rel = "noopener noreferrer";
          }
          line.appendChild(a);
          continue;
        }
        const button = node("button", "key", spec.text);
        button.type = "button";
        if (spec.callback_data !== undefined && spec.callback_data !== null) {
          button.dataset.callback = spec.callback_data;
          button.addEventListener("click", () =>
            press(m.message_id, spec.callback_data, button),
          );
        } else {
          button.disabled = true;
          button.title = t("unsupported");
        }
        line.appendChild(button);
      }
      keyboard.appendChild(line);
    }
    return keyboard;
  }

  function focusIndex(el) {
    const active = document.activeElement;
    if (!active || !el.contains(active)) return null;
    const focusable = Array.from(el.querySelectorAll("button, a, [tabindex='0']"));
    return focusable.indexOf(active);
  }

  function restoreFocus(el, index) {
    if (index === null) return;
    const focusable = Array.from(el.querySelectorAll("button, a, [tabindex='0']"));
    const target = index >= 0 && focusable[index] ? focusable[index] : el;
    target.focus({ preventScroll: true });
  }

  function nearBottom() {
    const box = els.messages;
    return box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  }

  function scrollToBottom() {
    els.messages.scrollTop = els.messages.scrollHeight;
  }

  function removeMessage(id) {
    const entry = state.messages.get(id);
    if (!entry) return;
    const hadFocus = entry.el.contains(document.activeElement);
    entry.el.remove();
    state.messages.delete(id);
    if (hadFocus) els.text.focus({ preventScroll: true });
  }

  /** Add or redraw one message; true when it is new to the page. */
  function upsert(m) {
    const id = m.message_id;
    const old = state.messages.get(id);
    if (m.deleted) {
      removeMessage(id);
      return false;
    }
    const key = JSON.stringify(m);
    if (old && old.key === key) return false;
    const el = renderMessage(m);
    if (old) {
      const index = focusIndex(old.el);
      old.el.replaceWith(el);
      restoreFocus(el, index);
      state.messages.set(id, { key, el, data: m });
      return false;
    }
    let before = null;
    for (const [otherId, entry] of state.messages) {
      if (otherId > id && (before === null || otherId < before.id)) before = { id: otherId, entry };
    }
    if (before) els.messages.insertBefore(el, before.entry.el);
    else els.messages.appendChild(el);
    state.messages.set(id, { key, el, data: m });
    return true;
  }

  function reconcile(list, full) {
    const stick = nearBottom();
    const seen = new Set();
    let added = false;
    for (const m of list) {
      seen.add(m.message_id);
      state.lastId = Math.max(state.lastId, m.message_id);
      if (upsert(m)) added = true;
    }
    if (full) {
      for (const id of Array.from(state.messages.keys())) if (!seen.has(id)) removeMessage(id);
    }
    els.empty.hidden = state.messages.size > 0 || !state.userId;
    updateReplyKeyboard();
    if (added && stick) scrollToBottom();
  }

  function clearChat() {
    for (const entry of state.messages.values()) entry.el.remove();
    state.messages.clear();
    state.lastId = 0;
    els.empty.hidden = !state.userId;
    updateReplyKeyboard();
  }

  // A reply keyboard stays under the chat until a later bot message removes or replaces it.
  function updateReplyKeyboard() {
    let rows = null;
    const ids = Array.from(state.messages.keys()).sort((a, b) => b - a);
    for (const id of ids) {
      const m = state.messages.get(id).data;
      if (m.from !== "bot") continue;
      if (m.keyboard) {
        rows = m.keyboard;
        break;
      }
      if (m.remove_keyboard) break;
    }
    const box = els.replyKeyboard;
    const key = JSON.stringify(rows);
    if (box.dataset.key === key) return;
    box.dataset.key = key;
    box.replaceChildren();
    box.hidden = !rows || !rows.length;
    if (box.hidden) return;
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", t("keyboard"));
    for (const row of rows) {
      const line = node("div", "row");
      for (const label of row) {
        const text = typeof label === "string" ? label : (label && label.text) || "";
        const button = node("button", "key", text);
        button.type = "button";
        button.addEventListener("click", () => send(text));
        line.appendChild(button);
      }
      box.appendChild(line);
    }
  }

  // --- notices and toasts -----------------------------------------------------------------------

  function updateNotice() {
    let text = "";
    if (!state.online) text = t("offline");
    else if (state.botsLoaded && !state.bot) text = t("noBot");
    else if (state.userId && state.users && !state.users.some((u) => u.id === state.userId)) {
      text = t("unknownPerson", { id: state.userId });
    } else if (!state.userId && state.users) text = t("noPerson");
    if (els.notice.textContent !== text) els.notice.textContent = text;
    els.notice.hidden = !text;
  }

  function toast(text, alert) {
    clearTimeout(state.toastTimer);
    els.toastText.textContent = text;
    els.toast.hidden = false;
    els.toast.classList.toggle("alert", Boolean(alert));
    state.toastTimer = setTimeout(hideToast, alert ? 8000 : 3500);
  }

  function hideToast() {
    clearTimeout(state.toastTimer);
    els.toast.hidden = true;
  }

  // --- people -----------------------------------------------------------------------------------

  async function loadUsers() {
    const users = await api("GET", "/sandbox/users");
    users.sort((a, b) => a.id - b.id);
    state.users = users;
    const select = els.person;
    const wanted = state.userId === null ? "" : String(state.userId);
    const signature = JSON.stringify(users.map((u) => [u.id, u.first_name]));
    if (select.dataset.signature !== signature) {
      select.dataset.signature = signature;
      const keep = select.options[0];
      select.replaceChildren(keep);
      for (const user of users) {
        const option = node("option", null, user.first_name + "（" + user.id + "）");
        option.value = String(user.id);
        select.appendChild(option);
      }
    }
    select.value = users.some((u) => String(u.id) === wanted) ? wanted : "";
    updateNotice();
  }

  function setUser(id) {
    state.userId = id;
    state.generation += 1;
    state.needFull = true;
    clearChat();
    const url = new URL(window.location.href);
    if (id === null) url.searchParams.delete("user");
    else url.searchParams.set("user", String(id));
    window.history.replaceState(null, "", url.pathname + url.search);
    const user = state.users && state.users.find((u) => u.id === id);
    document.title = user ? t("title", { name: user.first_name }) : document.title;
    els.person.value = id === null ? "" : String(id);
    updateNotice();
    closeMenu(false);
    kick();
  }

  function showNewPerson(show) {
    els.newForm.hidden = !show;
    els.newToggle.setAttribute("aria-expanded", String(show));
    if (show) els.newName.focus();
  }

  async function createPerson(event) {
    event.preventDefault();
    const name = els.newName.value.trim();
    if (!name) {
      els.newName.focus();
      return;
    }
    try {
      const users = await api("GET", "/sandbox/users");
      const id = users.reduce((top, u) => Math.max(top, u.id), 1000) + 1;
      await api("POST", "/sandbox/users", {
        id,
        first_name: name,
        language_code: els.newLang.value,
      });
      await loadUsers();
      els.newName.value = "";
      showNewPerson(false);
      setUser(id);
      toast(t("created", { name }));
      els.text.focus();
    } catch (error) {
      toast(t("createFailed", { reason: error.message }), true);
    }
  }

  // --- the bot and its command menu -------------------------------------------------------------

  async function loadBots() {
    const bots = await api("GET", "/sandbox/bots");
    state.botsLoaded = true;
    state.bot = bots.length ? bots[0] : null;
    if (state.bot) {
      els.botName.textContent = state.bot.first_name || t("botName");
      els.botHandle.textContent = "@" + state.bot.username + "・" + t("sandboxNote");
    }
    updateNotice();
  }

  /** Telegram's order: this chat, all private chats, default; each in the person's language
   * first. */
  function currentCommands() {
    const bot = state.bot;
    if (!bot || !bot.commands) return [];
    const user = state.users && state.users.find((u) => u.id === state.userId);
    const code = ((user && user.language_code) || "").toLowerCase();
    const languages = code ? Array.from(new Set([code, code.split("-")[0]])) : [];
    const scopes = state.userId ? ["chat:" + state.userId] : [];
    scopes.push("all_private_chats", "default");
    for (const scope of scopes) {
      for (const language of languages) {
        const found = bot.commands[scope + "/" + language];
        if (found && found.length) return found;
      }
      const plain = bot.commands[scope];
      if (plain && plain.length) return plain;
    }
    return [];
  }

  function renderMenu() {
    const list = els.menuList;
    list.replaceChildren();
    const commands = currentCommands();
    if (!commands.length) {
      list.appendChild(node("li", "menu-empty", t("noCommands")));
      return;
    }
    for (const command of commands) {
      const item = node("li");
      const button = node("button", "menu-item");
      button.type = "button";
      button.appendChild(node("span", "menu-command", "/" + command.command));
      button.appendChild(node("span", "menu-description", command.description));
      button.addEventListener("click", () => {
        closeMenu(false);
        send("/" + command.command);
        els.text.focus();
      });
      item.appendChild(button);
      list.appendChild(item);
    }
  }

  async function openMenu() {
    try {
      await loadBots();
    } catch (_) {
      // keep whatever commands were known
    }
    renderMenu();
    els.menu.hidden = false;
    els.menuButton.setAttribute("aria-expanded", "true");
    const first = els.menuList.querySelector("button");
    if (first) first.focus();
  }

  function closeMenu(refocus) {
    if (els.menu.hidden) return;
    els.menu.hidden = true;
    els.menuButton.setAttribute("aria-expanded", "false");
    if (refocus) els.menuButton.focus();
  }

  // --- acting as the person ---------------------------------------------------------------------

  function burst(full) {
    const now = Date.now();
    state.burstUntil = now + BURST_FOR_MS;
    if (full) state.fullUntil = now + 3000;
    kick();
  }

  async function send(raw) {
    const text = (raw || "").trim();
    if (!text) return false;
    if (!state.userId) {
      updateNotice();
      toast(t("noPerson"), true);
      return false;
    }
    try {
      await api("POST", "/sandbox/messages", { user_id: state.userId, text });
      burst(false);
      scrollToBottom();
      return true;
    } catch (error) {
      toast(t("sendFailed", { reason: error.message }), true);
      return false;
    }
  }

  async function press(messageId, data, button) {
    if (button.getAttribute("aria-busy") === "true") return;
    button.setAttribute("aria-busy", "true");
    button.classList.add("busy");
    try {
      const pressed = await api("POST", "/sandbox/callbacks", {
        user_id: state.userId,
        message_id: messageId,
        data,
      });
      burst(true);
      const answer = await waitForAnswer(pressed.callback_query_id);
      if (answer && answer.text) toast(answer.text, answer.show_alert);
    } catch (error) {
      toast(t("pressFailed", { reason: error.message }), true);
    } finally {
      button.removeAttribute("aria-busy");
      button.classList.remove("busy");
    }
  }

  async function waitForAnswer(queryId) {
    const deadline = Date.now() + ANSWER_WAIT_MS;
    while (Date.now() < deadline) {
      await sleep(150);
      const record = await api("GET", "/sandbox/callbacks/" + encodeURIComponent(queryId));
      if (record.answered) return record;
    }
    return null;
  }

  // --- polling ----------------------------------------------------------------------------------

  async function refresh() {
    state.tick += 1;
    if (!state.botsLoaded || !state.bot || state.tick % PEOPLE_EVERY === 0) await loadBots();
    if (state.users === null || state.tick % PEOPLE_EVERY === 0) await loadUsers();
    if (!state.bot || !state.userId) return;
    const now = Date.now();
    const full =
      state.needFull ||
      now < state.fullUntil ||
      state.tick % (now < state.burstUntil ? 3 : FULL_EVERY) === 0 ||
      state.lastId === 0;
    const generation = state.generation;
    let path = "/sandbox/chats/" + encodeURIComponent(state.userId) + "/messages";
    if (!full) path += "?after=" + state.lastId;
    const list = await api("GET", path);
    if (generation !== state.generation) return; // the person changed meanwhile
    if (full) state.needFull = false;
    const first = state.messages.size === 0;
    reconcile(list, full);
    if (first && list.length) scrollToBottom();
  }

  async function loop() {
    if (state.running) {
      state.again = true;
      return;
    }
    state.running = true;
    clearTimeout(state.timer);
    try {
      await refresh();
      state.online = true;
    } catch (error) {
      // A 4xx answer means the sandbox is up; only a failed fetch means it is gone.
      state.online = error instanceof Error && "status" in error;
      if (error.status === 409) {
        state.bot = null; // "no bot yet"
        state.botsLoaded = true;
      }
    } finally {
      state.running = false;
    }
    updateNotice();
    if (state.again) {
      state.again = false;
      loop();
      return;
    }
    state.timer = setTimeout(loop, Date.now() < state.burstUntil ? BURST_MS : POLL_MS);
  }

  function kick() {
    loop();
  }

  // --- wiring -----------------------------------------------------------------------------------

  function autoGrow() {
    const box = els.text;
    box.style.height = "auto";
    box.style.height = Math.min(box.scrollHeight, 160) + "px";
  }

  function wire() {
    els.person.addEventListener("change", () => {
      const value = els.person.value;
      setUser(value ? Number(value) : null);
    });
    els.newToggle.addEventListener("click", () => showNewPerson(els.newForm.hidden));
    els.newCancel.addEventListener("click", () => {
      showNewPerson(false);
      els.newToggle.focus();
    });
    els.newForm.addEventListener("submit", createPerson);

    els.composer.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = els.text.value;
      if (!text.trim()) return;
      els.text.value = "";
      autoGrow();
      closeMenu(false);
      if (!(await send(text))) els.text.value = text;
    });
    els.text.addEventListener("keydown", (event) => {
      // Enter sends, Shift+Enter breaks the line; never while an IME is composing (注音, 倉頡).
      if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) {
        return;
      }
      event.preventDefault();
      els.composer.requestSubmit();
    });
    els.text.addEventListener("input", autoGrow);

    els.menuButton.addEventListener("click", () => {
      if (els.menu.hidden) openMenu();
      else closeMenu(true);
    });
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      if (!els.menu.hidden) closeMenu(true);
      else if (!els.toast.hidden) hideToast();
      else if (!els.newForm.hidden) {
        showNewPerson(false);
        els.newToggle.focus();
      }
    });
    document.addEventListener("click", (event) => {
      if (els.menu.hidden) return;
      if (els.menu.contains(event.target) || els.menuButton.contains(event.target)) return;
      closeMenu(false);
    });
    els.toastClose.addEventListener("click", hideToast);

    // Commands inside messages and spoilers are pressed like in Telegram.
    els.messages.addEventListener("click", (event) => {
      const command = event.target.closest(".command-link");
      if (command) {
        send(command.dataset.command);
        return;
      }
      const spoiler = event.target.closest(".spoiler");
      if (spoiler) toggleSpoiler(spoiler);
    });
    els.messages.addEventListener("keydown", (event) => {
      const spoiler = event.target.closest && event.target.closest(".spoiler");
      if (spoiler && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        toggleSpoiler(spoiler);
      }
    });

    // Edits and deletions made while the tab was hidden show up as soon as it is back.
    window.addEventListener("focus", () => {
      state.needFull = true;
      kick();
    });
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) {
        state.needFull = true;
        kick();
      }
    });
  }

  function toggleSpoiler(spoiler) {
    const shown = spoiler.classList.toggle("revealed");
    spoiler.setAttribute("aria-pressed", String(shown));
  }

  async function start() {
    applyLabels();
    wire();
    const asked = Number(params.get("user"));
    state.userId = Number.isInteger(asked) && asked > 0 ? asked : null;
    els.empty.hidden = !state.userId;
    try {
      await loadUsers();
      await loadBots();
    } catch (_) {
      state.online = false;
    }
    if (state.userId) {
      const user = state.users && state.users.find((u) => u.id === state.userId);
      if (user) document.title = t("title", { name: user.first_name });
    } else if (state.users && state.users.length === 0 && els.newForm.hidden) {
      showNewPerson(true); // nobody yet: the first thing to do is to create someone
    }
    updateNotice();
    document.documentElement.dataset.ready = "true"; // for people and tests: labels and data in
    loop();
  }

  start();
})();
