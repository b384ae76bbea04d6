// The captain's capture box: every Enter queues one sentence, sent in order with its own id until
// the server acknowledges it. Nothing waits for the server: the box is free again at once, and what
// is typed while sentences are on their way stays in it. A Streamlit component (protocol v1), loaded
// from this file so that the staff pages' Content-Security-Policy ('self') allows it.
"use strict";
(function () {
  const box = document.getElementById("box");
  const send = document.getElementById("send");
  const reason = document.getElementById("reason");
  const state = document.getElementById("state");
  const draftsList = document.getElementById("drafts");
  let args = null;
  let pending = []; // [{id, text, round}] sent, not yet acknowledged
  let drafts = []; // [{text, message}] refused by the server: kept, offered again, never merged
  let attempt = 0;
  let lastSent = 0;
  let resendMs = 2000;
  let roundNotice = "";
  let typedUnder = ""; // the round open when the text now in the box was started
  let storageKey = null;

  function post(type, extra) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, extra), "*");
  }

  function newId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function save() {
    if (!storageKey) return;
    try {
      sessionStorage.setItem(storageKey, JSON.stringify({ pending, drafts, box: box.value }));
    } catch (e) {
      /* private mode: the queue still lives in this page */
    }
  }

  function restore(key) {
    storageKey = key;
    try {
      const saved = JSON.parse(sessionStorage.getItem(key) || "null");
      if (saved) {
        pending = saved.pending || [];
        drafts = saved.drafts || [];
        if (!box.value) box.value = saved.box || "";
      }
    } catch (e) {
      /* nothing kept */
    }
  }

  function flush() {
    if (!pending.length) return;
    attempt += 1;
    lastSent = Date.now();
    post("streamlit:setComponentValue", {
      value: { entries: pending, attempt: attempt },
      dataType: "json",
    });
  }

  function queue(text) {
    if (!text.trim() || !args) return;
    pending.push({ id: newId(), text: text, round: args.round });
    save();
    flush();
    draw();
  }

  function isOpen() {
    return !!(args && args.open);
  }

  // While no round is open the box stays typeable (disabling it mid-sentence would drop the keys
  // typed after): only sending waits, and Enter keeps the text in the box.
  function sendBox() {
    if (!isOpen()) return;
    const text = box.value;
    if (!text.trim()) return;
    box.value = "";
    roundNotice = "";
    typedUnder = "";
    queue(text);
    fit();
  }

  function fit() {
    box.style.height = "auto";
    box.style.height = Math.min(box.scrollHeight + 2, 144) + "px";
    post("streamlit:setFrameHeight", { height: document.body.scrollHeight + 4 });
  }

  function draw() {
    const open = isOpen();
    send.disabled = !open;
    reason.hidden = open || !args;
    reason.textContent = args && !open ? args.reason : "";
    state.classList.remove("error");
    if (roundNotice) {
      state.textContent = roundNotice;
    } else if (pending.length) {
      state.textContent =
        pending.length === 1 ? "1 contribution en cours d'envoi…" : pending.length + " contributions en cours d'envoi…";
    } else if (args && args.notice) {
      state.textContent = args.notice;
    } else {
      state.textContent = "";
    }
    draftsList.replaceChildren();
    drafts.forEach(function (draft, index) {
      const item = document.createElement("li");
      item.textContent = "Gardé, pas envoyé : « " + draft.text + " » — " + draft.message;
      const take = document.createElement("button");
      take.type = "button";
      take.textContent = "Reprendre";
      take.disabled = !open || !!box.value.trim();
      take.title = "Remettre ce texte dans le champ (le champ doit être vide)";
      take.addEventListener("click", function () {
        offer(index);
      });
      item.appendChild(take);
      draftsList.appendChild(item);
    });
    fit();
  }

  // A refused sentence goes back into the box only when the box is empty: never merged with another.
  function offer(index) {
    if (!isOpen() || box.value.trim() || !drafts[index]) return;
    box.value = drafts[index].text;
    drafts.splice(index, 1);
    save();
    draw();
    box.focus();
  }

  function render(newArgs) {
    const wasOpen = !!(args && args.open);
    // A draft typed under another question: said once, it is the captain's to reread before Enter.
    if (newArgs.open && typedUnder && typedUnder !== newArgs.round && box.value.trim()) {
      typedUnder = newArgs.round;
      roundNotice = "La question a changé : relisez votre texte avant de l'envoyer (Entrée).";
    }
    if (storageKey !== newArgs.table) restore(newArgs.table);
    args = newArgs;
    box.maxLength = args.max_chars;
    const acked = new Map((args.acked || []).map((a) => [a.id, a]));
    const still = [];
    pending.forEach(function (entry) {
      const ack = acked.get(entry.id);
      if (!ack) still.push(entry);
      else if (!ack.ok) drafts.push({ text: entry.text, message: ack.message });
    });
    if (still.length < pending.length) resendMs = 2000; // the server answers: back to the short wait
    pending = still;
    // Offered back only when the box opens again (nobody is typing in it then): a draft put into the
    // box while the captain types would be merged with the next sentence.
    if (args.open && !wasOpen && drafts.length && !box.value.trim()) offer(0);
    save();
    draw();
    if (args.open && !wasOpen) box.focus();
  }

  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendBox();
    }
  });
  // Pasted lines: each complete line is one contribution, in order; the last, unfinished, stays.
  box.addEventListener("paste", function (event) {
    const pasted = (event.clipboardData || window.clipboardData).getData("text");
    if (!/\r?\n/.test(pasted) || !isOpen()) return; // closed: pasted as typed, kept in the box
    event.preventDefault();
    const start = box.selectionStart;
    const whole = box.value.slice(0, start) + pasted + box.value.slice(box.selectionEnd);
    const lines = whole.split(/\r?\n/);
    box.value = lines.pop();
    lines.forEach(queue);
    fit();
  });
  box.addEventListener("input", function () {
    if (!box.value.trim()) typedUnder = "";
    else if (!typedUnder && args) typedUnder = args.round || "closed"; // reread under the next question
    save();
    fit();
    if (drafts.length) draw();
  });
  send.addEventListener("click", function () {
    sendBox();
    box.focus();
  });
  window.addEventListener("message", function (event) {
    if (event.data && event.data.type === "streamlit:render") render(event.data.args);
  });
  // Not acknowledged (server busy, page rerunning, connection lost): sent again, same ids, less and
  // less often (each send interrupts the page's run: a slow server must be let finish one).
  setInterval(function () {
    if (pending.length && Date.now() - lastSent > resendMs) {
      resendMs = Math.min(resendMs * 2, 16000);
      flush();
    }
  }, 500);
  post("streamlit:componentReady", { apiVersion: 1 });
  box.focus();
})();
