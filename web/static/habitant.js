/* Progressive enhancement of the residents' page: without it, every form still works.
   - a second tap on « Envoyer » while the first is on its way sends nothing more;
   - the question and the table's ideas refresh every second; with no round open, the box closes;
   - « d'accord / pas d'accord / je ne sais pas » count without reloading the page;
   - a plenary vote opened or closed by the organiser shows (reloads) when nothing is being typed.
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

  var CHOICES = [["d'accord", "👍", " Je suis d'accord"], ["pas d'accord", "👎", " Pas d'accord"],
    ["je ne sais pas", "🤷", " Je ne sais pas"]];

  // Three answers, one vote per phone, changeable (the same form as the page draws without script).
  function voteForm(item, countLabel) {
    var f = document.createElement("form");
    f.method = "post"; f.action = supportPath; f.className = "support vote";
    [["idee", item.id], ["nonce", supportNonce]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = pair[0]; input.value = pair[1];
      f.appendChild(input);
    });
    var line = document.createElement("p");
    line.className = "supported";
    f.appendChild(line);
    CHOICES.forEach(function (choice) {
      var button = document.createElement("button");
      button.type = "submit"; button.name = "choix"; button.value = choice[0];
      var icon = document.createElement("span");
      icon.setAttribute("aria-hidden", "true"); icon.textContent = choice[1];
      button.appendChild(icon);
      button.appendChild(document.createTextNode(choice[2]));
      f.appendChild(button);
    });
    showChoice(f, item.choice, item.choice_line, countLabel);
    return f;
  }

  function showChoice(f, choice, choiceLine, countLabel) {
    var line = f.querySelector(".supported");
    line.textContent = choiceLine + (choice && countLabel ? " · " + countLabel : "");
    line.hidden = !choice;
    Array.prototype.forEach.call(f.querySelectorAll("button"), function (button) {
      button.setAttribute("aria-pressed", button.value === choice ? "true" : "false");
    });
    var count = f.querySelector(".count");
    if (count) { f.removeChild(count); }
    if (!choice && countLabel) {
      count = document.createElement("span");
      count.className = "count"; count.textContent = countLabel;
      f.appendChild(count);
    }
  }

  function ideaItem(idea) {
    var li = document.createElement("li");
    li.id = "idee-" + idea.id;
    var p = document.createElement("p");
    p.className = "idea-text"; p.textContent = idea.text;
    li.appendChild(p);
    li.appendChild(voteForm(idea, idea.supports ? idea.supports_label : ""));
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
    var prolong = byId("prolong-link");
    if (prolong && "can_prolong" in state) { prolong.hidden = !state.can_prolong; }
    // The organiser opened or closed the plenary vote: the page draws its themes (nothing typed is lost).
    var themes = state.themes || [];
    if (!typing && themes.length !== document.querySelectorAll("#themes li").length &&
        !document.querySelector(".support[data-sending]")) {
      window.location.reload();
    }
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
    if (event.submitter && event.submitter.name) { data.set(event.submitter.name, event.submitter.value); }
    fetch(f.action, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.ok) {
          f.removeAttribute("data-sending");
          var isTheme = answer.id.indexOf("theme:") === 0;
          showChoice(f, answer.choice, answer.choice_line, isTheme || !answer.supports ? "" : answer.supports_label);
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
