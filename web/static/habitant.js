/* Progressive enhancement of the residents' page: without it, every form still works.
   - a second tap on « Envoyer » while the first is on its way sends nothing more;
   - the question and the table's ideas refresh every second; with no round open, the box closes;
   - « Je suis d'accord » counts without reloading the page.
   User text is only ever set with textContent: it can never become markup. */
(function () {
  "use strict";
  if (!window.fetch || !document.querySelector) { return; }
  var body = document.body;
  var statePath = body.getAttribute("data-state");
  var supportPath = body.getAttribute("data-support");
  var supportNonce = body.getAttribute("data-support-nonce");
  // The round is checked every second at most, so that the box closes within 2 s of a round's end.
  var refreshMs = Math.min(1, parseInt(body.getAttribute("data-refresh"), 10) || 3) * 1000;
  var form = document.getElementById("idea-form");
  var field = document.getElementById("texte");
  var roundField = document.getElementById("round-id");
  var busy = false;

  function byId(id) { return document.getElementById(id); }
  function setText(id, text) { var el = byId(id); if (el) { el.textContent = text; } }

  if (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sending")) { event.preventDefault(); return; }
      form.setAttribute("data-sending", "1");
      var button = form.querySelector("button");
      window.setTimeout(function () { button.disabled = true; button.textContent = "Envoi…"; }, 0);
    });
  }

  function supportForm(id, count, label) {
    var f = document.createElement("form");
    f.method = "post"; f.action = supportPath; f.className = "support";
    [["idee", id], ["nonce", supportNonce]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = pair[0]; input.value = pair[1];
      f.appendChild(input);
    });
    var button = document.createElement("button");
    button.type = "submit";
    var thumb = document.createElement("span");
    thumb.setAttribute("aria-hidden", "true"); thumb.textContent = "👍";
    button.appendChild(thumb);
    button.appendChild(document.createTextNode(" Je suis d'accord"));
    f.appendChild(button);
    if (count > 0) {
      var shown = document.createElement("span");
      shown.className = "count"; shown.textContent = label;
      f.appendChild(shown);
    }
    return f;
  }

  function supportedLine(label) {
    var p = document.createElement("p");
    p.className = "supported";
    p.textContent = "✓ Vous êtes d'accord · " + label;
    return p;
  }

  function ideaItem(idea) {
    var li = document.createElement("li");
    li.id = "idee-" + idea.id;
    var p = document.createElement("p");
    p.className = "idea-text"; p.textContent = idea.text;
    li.appendChild(p);
    li.appendChild(idea.supported ? supportedLine(idea.supports_label) : supportForm(idea.id, idea.supports, idea.supports_label));
    return li;
  }

  var shownIdeas = null;

  function showIdeas(ideas) {
    var list = byId("ideas");
    // Rebuilt only when something changed, and never under a finger that is tapping « d'accord ».
    var fresh = JSON.stringify(ideas);
    if (!list || fresh === shownIdeas || document.querySelector(".support[data-sending]")) { return; }
    shownIdeas = fresh;
    var focusedId = document.activeElement && document.activeElement.closest &&
      document.activeElement.closest("li") ? document.activeElement.closest("li").id : null;
    var items = document.createDocumentFragment();
    ideas.forEach(function (idea) { items.appendChild(ideaItem(idea)); });
    list.replaceChildren ? list.replaceChildren(items) : (list.innerHTML = "", list.appendChild(items));
    byId("no-ideas").hidden = ideas.length > 0;
    if (focusedId && byId(focusedId)) {
      var again = byId(focusedId).querySelector("button");
      if (again) { again.focus(); }
    }
  }

  function showState(state) {
    var typing = field && field.value.trim() !== "";
    var question = byId("question");
    question.textContent = state.accepting ? state.question : state.closed_message;
    question.className = state.accepting ? "" : "waiting";
    setText("round-label", state.round_label);
    setText("timer", state.timer);
    var message = byId("state-message");
    var questionChanged = state.accepting && typing && roundField && roundField.value !== state.round_id;
    message.hidden = !typing || (state.accepting && !questionChanged);
    message.textContent = questionChanged
      ? "La question vient de changer : relisez-la. Votre texte est gardé dans la case."
      : (state.closed_reason || "") + " Votre texte n'a pas été envoyé : il est gardé dans la case.";
    // No round open: « Envoyer » waits for the next one; the box stays typeable (disabled in the
    // middle of a word, it would drop the keys typed after) and keeps what is in it.
    if (field && form && !form.getAttribute("data-sending")) {
      form.querySelector("button").disabled = !state.accepting;
    }
    byId("ideas-zone").hidden = !state.accepting;
    if (state.accepting) {
      // A text typed for an earlier question keeps that round: the server will ask to check it.
      if (!typing && roundField) { roundField.value = state.round_id; }
      showIdeas(state.ideas);
      var more = byId("more-ideas");
      if (more) { more.textContent = state.more_label || ""; more.hidden = !state.more_label; }
    }
    if (form) { form.hidden = !state.accepting && !typing; }
  }

  function refresh() {
    if (busy || document.hidden) { return; }
    busy = true;
    fetch(statePath, { headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.error) { return; }
        showState(state);
      })
      .catch(function () { /* offline for a moment: try again at the next tick */ })
      .then(function () { busy = false; });
  }

  document.addEventListener("submit", function (event) {
    var f = event.target;
    if (!f.classList || !f.classList.contains("support")) { return; }
    event.preventDefault();
    if (f.getAttribute("data-sending")) { return; }
    f.setAttribute("data-sending", "1");
    var data = new URLSearchParams(new FormData(f));
    fetch(f.action, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.ok) {
          f.parentNode.replaceChild(supportedLine(answer.supports_label), f);
        } else {
          f.removeAttribute("data-sending");
          var message = byId("state-message");
          message.textContent = answer.message; message.hidden = false;
        }
      })
      .catch(function () { f.removeAttribute("data-sending"); f.submit(); });
  });

  window.setInterval(refresh, refreshMs);
  document.addEventListener("visibilitychange", refresh);
})();
