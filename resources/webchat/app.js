// Hearth web chat: talks the chat protocol of ARCHITECTURE §8 over /ws. No build step.
"use strict";

const $ = (id) => document.getElementById(id);
const bot = decodeURIComponent((location.pathname.split("/")[2] || "").trim());
const store = {
  get access() { return sessionStorage.getItem("hearth.access"); },
  get refresh() { return sessionStorage.getItem("hearth.refresh"); },
  tokens(pair) {
    sessionStorage.setItem("hearth.access", pair.access_token);
    sessionStorage.setItem("hearth.refresh", pair.refresh_token);
  },
  clear() { sessionStorage.removeItem("hearth.access"); sessionStorage.removeItem("hearth.refresh"); },
  get session() { return localStorage.getItem("hearth.session." + bot); },
  set session(id) {
    if (id) localStorage.setItem("hearth.session." + bot, id);
    else localStorage.removeItem("hearth.session." + bot);
  },
};

let socket = null;
let config = null;
let streaming = null;   // the bot bubble receiving chunks
let busy = false;
let retries = 0;
const MAX_RETRIES = 5;

// -- rendering -----------------------------------------------------------------------------
function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;",
                                           '"': "&quot;", "'": "&#39;" }[c]));
}

function inline(text) {
  return text
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>")
    .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g,
             '<a href="$2" target="_blank" rel="noopener noreferrer">$1</a>');
}

// A small, safe Markdown subset: everything is escaped first.
function markdown(source) {
  const parts = escapeHtml(source).split(/```/);
  return parts.map((part, i) => {
    if (i % 2 === 1) return "<pre><code>" + part.replace(/^\w*\n/, "") + "</code></pre>";
    return part.split(/\n{2,}/).filter((p) => p.trim())
      .map((p) => "<p>" + inline(p).replace(/\n/g, "<br>") + "</p>").join("");
  }).join("");
}

function addMessage(role, text) {
  const item = document.createElement("li");
  item.className = "msg " + role;
  const who = document.createElement("span");
  who.className = "visually-hidden";
  who.textContent = role === "user" ? "You said: " : role === "bot" ? "Bot said: " : "";
  const body = document.createElement("div");
  body.className = "body";
  item.dataset.text = text;
  body.innerHTML = markdown(text);
  item.append(who, body);
  $("log").append(item);
  item.scrollIntoView({ block: "end" });
  return item;
}

function setText(item, text) {
  item.dataset.text = text;
  item.querySelector(".body").innerHTML = markdown(text);
  item.scrollIntoView({ block: "end" });
}

function addCitations(item, citations) {
  if (!citations || !citations.length || !item) return;
  const list = document.createElement("div");
  list.className = "citations";
  list.setAttribute("aria-label", "Sources");
  for (const c of citations) {
    const chip = document.createElement("span");
    chip.className = "chip";
    chip.textContent = `[${c.n}] ${c.source}${c.page ? ", p. " + c.page : ""}`;
    chip.title = c.snippet || "";
    list.append(chip);
  }
  item.append(list);
}

function showSuggestions(suggestions) {
  const box = $("suggestions");
  box.replaceChildren();
  for (const s of suggestions || []) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = s.text;
    button.addEventListener("click", () => choose(s));
    box.append(button);
  }
}

function setBusy(value) {
  busy = value;
  $("stop").hidden = !value;
}

function setStatus(text) { $("status").textContent = text; }

// -- protocol ------------------------------------------------------------------------------
function onFrame(frame) {
  switch (frame.type) {
    case "connected":
      store.session = frame.session_id;
      retries = 0;
      setStatus("Online");
      break;
    case "history":
      for (const m of frame.messages) {
        if (m.content) addMessage(m.role === "user" ? "user" : "bot", m.content);
      }
      break;
    case "response": onResponse(frame); break;
    case "tool": {
      const note = document.createElement("li");
      note.className = "tool";
      // A tool's raw result is for the model, which phrases it in the answer.
      note.textContent = frame.finished
        ? `Used ${frame.tool}`
        : `Running tool ${frame.tool}…`;
      $("log").append(note);
      break;
    }
    case "done":
      finishStream();
      setBusy(false);
      if (frame.error) addMessage("system error", frame.error);
      break;
    case "error":
      addMessage("system error", frame.error.message);
      break;
  }
}

function onResponse(frame) {
  if (!frame.is_complete) {
    if (!streaming) {
      streaming = addMessage("bot", "");
      streaming.classList.add("streaming");
    }
    setText(streaming, streaming.dataset.text + frame.content);
    return;
  }
  let item = null;
  if (streaming) {
    item = streaming;
    // The complete answer may differ from the stream (a raw tool result put into words).
    if (frame.content && frame.content !== item.dataset.text) setText(item, frame.content);
    finishStream();
  } else if (frame.content) {
    item = addMessage("bot", frame.content);
  }
  addCitations(item, frame.citations);
  addModel(item, frame.model);
  showSuggestions(frame.suggestions);
}

function addModel(item, model) {
  // Which model wrote an LLM answer (a script's TALK has none).
  if (!model || !item) return;
  const note = document.createElement("div");
  note.className = "model";
  note.textContent = "answered by " + model;
  item.append(note);
}

function finishStream() {
  if (streaming) streaming.classList.remove("streaming");
  streaming = null;
}

function send(frame) {
  if (!socket || socket.readyState !== WebSocket.OPEN) {
    addMessage("system error", "Not connected. Reconnecting…");
    connect();
    return false;
  }
  socket.send(JSON.stringify({ session_id: store.session, timestamp: new Date().toISOString(),
                               ...frame }));
  return true;
}

function sendText(text, extra = {}) {
  finishStream();
  if (text) addMessage("user", text);
  showSuggestions([]);
  if (send({ content: text, message_type: 1, ...extra })) setBusy(true);
}

function choose(suggestion) {
  if (suggestion.kind === "tool") {
    addMessage("user", suggestion.text);
    showSuggestions([]);
    if (send({ content: suggestion.tool || suggestion.value || suggestion.text, message_type: 6 })) {
      setBusy(true);
    }
  } else if (suggestion.kind === "context") {
    sendText(suggestion.text, { message_type: 4, context_name: suggestion.value });
  } else {
    sendText(suggestion.value || suggestion.text);
  }
  $("message").focus();
}

function cancel() {
  if (busy) send({ content: "", message_type: 9 });
}

// -- connection and auth -------------------------------------------------------------------
function connect() {
  if (socket && socket.readyState <= WebSocket.OPEN) return;
  const params = new URLSearchParams({ bot });
  if (store.session) params.set("session_id", store.session);
  if (store.access) params.set("access_token", store.access);
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  setStatus("Connecting…");
  const opened = { value: false };
  socket = new WebSocket(`${scheme}//${location.host}/ws?${params}`);
  socket.addEventListener("open", () => { opened.value = true; });
  socket.addEventListener("message", (e) => onFrame(JSON.parse(e.data)));
  socket.addEventListener("close", () => onClose(opened.value));
}

async function onClose(wasOpen) {
  socket = null;
  setBusy(false);
  finishStream();
  setStatus("Offline");
  if (retries >= MAX_RETRIES) {
    addMessage("system error", "The connection was lost. Reload the page to try again.");
    return;
  }
  retries += 1;
  if (!wasOpen && !config.anonymous) {
    // Refused before opening: most often an expired token.
    if (!(await refresh())) return showLogin();
  }
  setTimeout(connect, Math.min(8000, 500 * 2 ** retries));
}

async function refresh() {
  if (!store.refresh) return false;
  const reply = await fetch("/api/auth/refresh", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refresh_token: store.refresh }),
  });
  if (!reply.ok) { store.clear(); return false; }
  store.tokens(await reply.json());
  return true;
}

function showOnly(id) {
  for (const panel of ["login", "picker", "chat"]) $(panel).hidden = panel !== id;
  $("logout").hidden = !store.access;
  $("new-chat").hidden = id !== "chat";
}

function showLogin() {
  showOnly("login");
  setStatus("");
  $("username").focus();
}

async function login(event) {
  event.preventDefault();
  $("login-error").textContent = "";
  const reply = await fetch("/api/auth/login", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: $("username").value, password: $("password").value }),
  });
  const body = await reply.json();
  if (!reply.ok) {
    $("login-error").textContent = body.error ? body.error.message : "Login failed.";
    return;
  }
  store.tokens(body);
  $("password").value = "";
  start();
}

async function showPicker() {
  const reply = await fetch("/api/bots", { headers: { Authorization: "Bearer " + store.access } });
  if (reply.status === 401 && (await refresh())) return showPicker();
  if (!reply.ok) return showLogin();
  const { bots } = await reply.json();
  const list = $("bots");
  list.replaceChildren();
  for (const b of bots) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = "/chat/" + encodeURIComponent(b.name);
    link.textContent = b.title + (b.description ? " — " + b.description : "");
    item.append(link);
    list.append(item);
  }
  showOnly("picker");
  setStatus("");
}

function applyTheme(theme) {
  const root = document.documentElement.style;
  root.setProperty("--color1", theme.color1);
  root.setProperty("--color2", theme.color2);
  $("title").textContent = theme.title;
  $("subtitle").textContent = theme.description;
  document.title = theme.title;
  if (theme.logo) { $("logo").src = theme.logo; $("logo").hidden = false; }
  for (const href of theme.stylesheets) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.append(link);
  }
}

async function start() {
  if (!bot) {
    if (!store.access) return showLogin();
    return showPicker();
  }
  if (!config) {
    const reply = await fetch(`/api/bots/${encodeURIComponent(bot)}/webchat`);
    if (!reply.ok) {
      showOnly("chat");
      addMessage("system error", `There is no bot named “${bot}”.`);
      return;
    }
    config = await reply.json();
    applyTheme(config);
  }
  if (!config.anonymous && !store.access) return showLogin();
  showOnly("chat");
  connect();
  $("message").focus();
}

function newChat() {
  store.session = null;
  $("log").replaceChildren();
  showSuggestions([]);
  if (socket) socket.close();
  retries = 0;
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", login);
  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("message").value.trim();
    if (!text) return;
    $("message").value = "";
    sendText(text);
  });
  $("message").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $("composer").requestSubmit();
    } else if (e.key === "Escape") {
      cancel();
    }
  });
  $("stop").addEventListener("click", cancel);
  $("new-chat").addEventListener("click", newChat);
  $("logout").addEventListener("click", () => {
    store.clear();
    if (socket) socket.close();
    location.reload();
  });
  start();
});
