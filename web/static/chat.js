/* The tipline chat: Rasa's socket.io protocol (session_request / session_confirm, user_uttered /
   bot_uttered) with the socket.io client served from this site. Messages are added as text, never
   as HTML; the log is an ARIA live region so screen readers read each reply. The conversation id
   lives in sessionStorage only: no cookies, and it is gone when the tab closes or on quick exit. */
(function () {
  "use strict";
  var chat = document.getElementById("chat");
  var log = document.getElementById("messages");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var send = document.getElementById("send");
  var status = document.getElementById("chat-status");
  var exit = document.getElementById("quick-exit");
  var lang = chat.dataset.lang || document.documentElement.lang || "en";
  var KEY = "tipline-session";

  function quickExit() {
    try { sessionStorage.clear(); } catch (e) { /* storage may be off */ }
    if (socket) { socket.disconnect(); }
    var target = exit.dataset.exitUrl;
    // Replace this page in the history so Back does not return to it; leave the frame when embedded.
    try { window.top.location.replace(target); } catch (e) { window.location.replace(target); }
  }
  exit.addEventListener("click", quickExit);

  if (typeof io !== "function") { return; }

  function linkify(node, text) {
    var parts = text.split(/(https:\/\/[^\s<>"]+[^\s<>".,;:!?)])/);
    parts.forEach(function (part, i) {
      if (i % 2 === 1) {
        var a = document.createElement("a");
        a.href = part;
        a.rel = "noopener noreferrer";
        a.target = "_blank";
        a.textContent = part;
        node.appendChild(a);
      } else if (part) {
        node.appendChild(document.createTextNode(part));
      }
    });
  }

  function add(from, text, choices) {
    var item = document.createElement("p");
    item.className = from === "me" ? "from-me" : "from-bot";
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = (from === "me" ? chat.dataset.you : chat.dataset.bot) + ": ";
    item.appendChild(who);
    linkify(item, text);
    if (choices && choices.length) {
      var row = document.createElement("div");
      row.className = "choices";
      choices.forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = choice.title;
        button.addEventListener("click", function () {
          row.remove();
          say(choice.title, choice.payload);
        });
        row.appendChild(button);
      });
      item.appendChild(row);
    }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  var socket = io({ path: chat.dataset.socketPath, transports: ["websocket", "polling"] });

  function storedSession() {
    try { return sessionStorage.getItem(KEY); } catch (e) { return null; }
  }

  function say(text, payload) {
    add("me", text);
    socket.emit("user_uttered", {
      message: payload || text,
      session_id: storedSession(),
      metadata: { language: lang }
    });
  }

  function ready(on) {
    input.disabled = !on;
    send.disabled = !on;
  }

  socket.on("connect", function () {
    socket.emit("session_request", { session_id: storedSession(), language: lang });
  });
  socket.on("session_confirm", function (confirmed) {
    var id = typeof confirmed === "string" ? confirmed : confirmed && confirmed.session_id;
    var isNew = id !== storedSession();
    try { sessionStorage.setItem(KEY, id); } catch (e) { /* the chat still works for this page */ }
    status.textContent = chat.dataset.connected;
    ready(true);
    if (isNew) {
      socket.emit("user_uttered", { message: "/greet", session_id: id, metadata: { language: lang } });
    }
  });
  socket.on("bot_uttered", function (message) {
    if (message && message.text) { add("bot", message.text, message.quick_replies); }
  });
  socket.on("disconnect", function () {
    status.textContent = chat.dataset.offline;
    ready(false);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    say(text);
    input.value = "";
    input.focus();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
