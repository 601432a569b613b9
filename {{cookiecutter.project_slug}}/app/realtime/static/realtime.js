// Live updates: opens this site's WebSocket (/ws), keeps it alive, opens it again after a drop,
// and announces each message as a DOM event on document, for other scripts to act on:
//
//   document.addEventListener("realtime:message", (e) => { e.detail.event === "note.created" ... });
//   document.addEventListener("realtime:open", (e) => { if (e.detail.reconnected) catchUp(); });
//
// "realtime:refused" carries the server's reason when retrying cannot help (this page's address
// is not PUBLIC_URL). "realtime:ended" means the session is over; unless a listener calls
// preventDefault(), the page reloads, which shows the login form. No inline code: the strict CSP ('self') allows this file.
(function () {
  "use strict";

  var status = document.getElementById("realtime-status");
  if (!status || !("WebSocket" in window)) return;

  var path = status.dataset.socketPath;
  var heartbeatMs = Number(status.dataset.heartbeatSeconds || 25) * 1000;
  var PONG_WAIT_MS = 10000;          // no answer to a ping this long: the connection is dead
  var FIRST_DELAY_MS = 1000;         // backoff before reconnecting, doubled up to the maximum,
  var MAX_DELAY_MS = 30000;          // with jitter so that clients do not return all at once
  var RELOADED_AT = "realtime:reloaded-at";
  var RELOAD_AGAIN_AFTER_MS = 60000;
  var delay = FIRST_DELAY_MS;
  var socket = null;
  var everOpened = false;
  var heartbeat = null;
  var pongTimer = null;
  var stopped = false;

  function show(state, text) {
    status.dataset.state = state;
    status.textContent = text;
    document.documentElement.dataset.realtime = state;
  }

  function announce(name, detail, cancelable) {
    var event = new CustomEvent("realtime:" + name, { detail: detail, cancelable: !!cancelable });
    return document.dispatchEvent(event);
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var current = new WebSocket(scheme + location.host + path);
    socket = current;
    current.addEventListener("open", function () {
      if (current !== socket) return;
      delay = FIRST_DELAY_MS;
      show("open", "Live updates: on");
      announce("open", { reconnected: everOpened });
      everOpened = true;
      startHeartbeat();
    });
    current.addEventListener("message", function (event) {
      if (current !== socket) return;
      clearTimeout(pongTimer);
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (message && message.event && message.event !== "pong") announce("message", message);
    });
    current.addEventListener("close", function (event) {
      if (current === socket) dropped(event.code, event.reason);
    });
  }

  // The socket closed (or stopped answering): say so, then try again after a pause.
  function dropped(code, reason, text) {
    socket = null;
    stopHeartbeat();
    if (stopped) return;
    show("closed", text || "Live updates: reconnecting…");
    announce("close", { code: code, reason: reason });
    var wait = code === 4001 ? 0 : delay / 2 + Math.random() * delay / 2;
    delay = Math.min(delay * 2, MAX_DELAY_MS);
    setTimeout(reconnect, wait);
  }

  // A plain GET /ws answers what the handshake would: 426 when it would succeed, 401 when the
  // session is over (a failed handshake hides its status from scripts), 403 with the reason when
  // this page's address is not one the socket accepts, 429 or 503 while the server is busy.
  function reconnect() {
    fetch(path, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json", "X-Page-Origin": location.origin }
    })
      .then(function (response) {
        if (response.status === 401) return ended();
        if (response.status === 426) return connect();
        if (response.status === 403) return response.json().then(refused, refused);
        if (response.status === 429 || response.status === 503) {
          return dropped(1013, "HTTP " + response.status, "Live updates: server busy, retrying…");
        }
        dropped(1006, "HTTP " + response.status);
      })
      .catch(function () {
        dropped(1006, "offline", "Live updates: offline, retrying…");
      });
  }

  // Refused for good (the page's address is not the site's): retrying cannot help, the reason
  // (problem details' "detail") tells the user what to do instead.
  function refused(problem) {
    stopped = true;
    var detail = problem && typeof problem.detail === "string" ? problem.detail : "";
    show("refused", detail || "Live updates refused by the server; see its log.");
    announce("refused", { reason: detail });
  }

  // Reloading shows the login form. Should the page come back all the same (a socket refused
  // for another reason), it is reloaded once, not over and over.
  function ended() {
    stopped = true;
    show("ended", "Live updates: off (signed out; sign in again)");
    if (!announce("ended", {}, true)) return;
    var lastReload = Number(sessionStorage.getItem(RELOADED_AT) || 0);
    if (Date.now() - lastReload < RELOAD_AGAIN_AFTER_MS) return;
    sessionStorage.setItem(RELOADED_AT, String(Date.now()));
    location.reload();
  }

  // Browsers answer the server's pings without telling scripts, so the script asks too: a
  // connection that went quietly dead (a laptop waking, a network change) is noticed in seconds.
  function startHeartbeat() {
    stopHeartbeat();
    heartbeat = setInterval(function () {
      var current = socket;
      if (!current || current.readyState !== WebSocket.OPEN) return;
      current.send("ping");
      clearTimeout(pongTimer);
      pongTimer = setTimeout(function () {
        if (current !== socket) return;
        current.close();
        dropped(1006, "no answer to ping");
      }, PONG_WAIT_MS);
    }, heartbeatMs);
  }

  function stopHeartbeat() {
    clearInterval(heartbeat);
    clearTimeout(pongTimer);
  }

  window.addEventListener("pagehide", function () {
    stopped = true;
    if (socket) socket.close(1000);
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && stopped) {
      stopped = false;
      reconnect();  // back from the browser's page cache: the socket was closed on the way out
    }
  });

  // After every deferred script has run, so that their listeners miss no message.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", connect);
  } else {
    connect();
  }
})();
