/* A small SCO (SCORM 1.2 and 2004): Atelier's own test and demo content.
 *
 * Finds the run-time API as SCORM content does (window.parent chain, then the
 * opener), resumes from cmi location and suspend_data, reports progress,
 * answers (interactions), score and status, and leaves suspended or finished.
 * Its content comes from the JSON in #sco-data (courses/packages/scorm_course.py).
 */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("sco-data").textContent);
  var root = document.getElementById("sco");
  var statusLine = document.getElementById("sco-status");
  var WORDS = {
    fr: {
      page: "Page {n} sur {total}", previous: "Précédent", next: "Suivant",
      leave: "Enregistrer et quitter", finish: "Terminer", submit: "Valider mes réponses",
      questions: "Questions", score: "Score : {raw} sur {max}.", passed: "Réussi.",
      failed: "Pas encore réussi : vous pouvez relancer l'activité.",
      resumed: "Reprise à la page {n}.", saved: "Activité enregistrée : vous pourrez la reprendre.",
      finished: "Activité terminée.", noApi: "Aucune plateforme détectée : rien n'est enregistré.",
      done: "Vous pouvez revenir à la leçon."
    },
    en: {
      page: "Page {n} of {total}", previous: "Previous", next: "Next",
      leave: "Save and leave", finish: "Finish", submit: "Submit my answers",
      questions: "Questions", score: "Score: {raw} out of {max}.", passed: "Passed.",
      failed: "Not passed yet: you can launch the activity again.",
      resumed: "Resumed at page {n}.", saved: "Activity saved: you can resume it later.",
      finished: "Activity finished.", noApi: "No learning platform found: nothing is recorded.",
      done: "You can go back to the lesson."
    }
  };

  function findIn(win, name) {
    for (var depth = 0; win && depth < 10; depth += 1) {
      try {
        if (win[name]) { return win[name]; }
      } catch (error) {
        return null; // another origin: the API is never there
      }
      if (win.parent === win) { break; }
      win = win.parent;
    }
    return null;
  }
  function find(name) {
    return findIn(window, name) || (window.opener ? findIn(window.opener, name) : null);
  }

  var api2004 = find("API_1484_11");
  var api12 = api2004 ? null : find("API");
  var v2004 = Boolean(api2004);
  var tracked = Boolean(api2004 || api12);
  var scorm = {
    get: function (name12, name2004) {
      if (!tracked) { return ""; }
      return String(v2004 ? api2004.GetValue(name2004) : api12.LMSGetValue(name12));
    },
    set: function (name12, name2004, value) {
      var name = v2004 ? name2004 : name12;
      if (!tracked || !name) { return; }
      if (v2004) { api2004.SetValue(name, String(value)); } else { api12.LMSSetValue(name, String(value)); }
    },
    commit: function () {
      if (tracked) { if (v2004) { api2004.Commit(""); } else { api12.LMSCommit(""); } }
    },
    finish: function () {
      if (tracked) { if (v2004) { api2004.Terminate(""); } else { api12.LMSFinish(""); } }
    }
  };

  var started = Date.now();
  var finished = false;
  var state = { visited: [0], answers: {}, submitted: false };
  var page = 0;
  var language = "fr";
  var questionPage = data.questions.length ? data.pages.length : -1;
  var total = data.pages.length + (data.questions.length ? 1 : 0);

  function t(key, values) {
    var text = WORDS[language][key];
    Object.keys(values || {}).forEach(function (name) { text = text.replace("{" + name + "}", values[name]); });
    return text;
  }
  function say(text) { statusLine.textContent = text; }
  function local(values) { return values[language] || values.fr || values.en || ""; }
  function pad(number, width) { var s = String(number); while (s.length < width) { s = "0" + s; } return s; }
  function sessionTime() {
    var seconds = Math.max(0, Math.round((Date.now() - started) / 1000));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return v2004 ? "PT" + h + "H" + m + "M" + s + "S" : pad(h, 4) + ":" + pad(m, 2) + ":" + pad(s, 2);
  }
  function passingScore() {
    var value = v2004 ? scorm.get(null, "cmi.scaled_passing_score") : scorm.get("cmi.student_data.mastery_score", null);
    if (value === "") { return null; }
    return v2004 ? Number(value) : Number(value) / 100;
  }

  function save() {
    scorm.set("cmi.core.lesson_location", "cmi.location", String(page));
    scorm.set("cmi.suspend_data", "cmi.suspend_data", JSON.stringify(state));
    if (v2004) { scorm.set(null, "cmi.progress_measure", (state.visited.length / total).toFixed(2)); }
    if (!data.questions.length && state.visited.length >= total) {
      scorm.set("cmi.core.lesson_status", "cmi.completion_status", "completed");
    }
    scorm.commit();
  }

  function button(label, onClick, options) {
    var element = document.createElement("button");
    element.type = "button";
    element.textContent = label;
    if (options && options.primary) { element.className = "primary"; }
    if (options && options.disabled) { element.disabled = true; }
    element.addEventListener("click", onClick);
    return element;
  }

  function render() {
    Array.prototype.slice.call(root.children).forEach(function (node) { if (node !== statusLine) { root.removeChild(node); } });
    var heading = document.createElement("h1");
    heading.textContent = local(data.title);
    var count = document.createElement("p");
    count.className = "sco-page-count";
    count.textContent = t("page", { n: page + 1, total: total });
    root.insertBefore(heading, statusLine);
    root.insertBefore(count, statusLine);
    var body = document.createElement("div");
    body.className = "sco-body";
    if (page === questionPage) {
      renderQuestions(body);
    } else {
      body.innerHTML = local(data.pages[page]); // the package's own trusted text
    }
    root.appendChild(body);
    var nav = document.createElement("div");
    nav.className = "sco-nav";
    nav.appendChild(button(t("previous"), function () { go(page - 1); }, { disabled: page === 0 }));
    nav.appendChild(button(t("next"), function () { go(page + 1); }, { disabled: page >= total - 1, primary: true }));
    nav.appendChild(button(t("leave"), function () { leave(true); }));
    nav.appendChild(button(t("finish"), function () { leave(false); }));
    root.appendChild(nav);
  }

  function renderQuestions(body) {
    var form = document.createElement("form");
    data.questions.forEach(function (question) {
      var set = document.createElement("fieldset");
      var legend = document.createElement("legend");
      legend.textContent = local(question.text);
      set.appendChild(legend);
      question.choices.forEach(function (choice) {
        var label = document.createElement("label");
        var input = document.createElement("input");
        input.type = "radio";
        input.name = question.id;
        input.value = choice[0];
        input.checked = state.answers[question.id] === choice[0];
        input.addEventListener("change", function () { state.answers[question.id] = choice[0]; });
        label.appendChild(input);
        label.appendChild(document.createTextNode(" " + local(choice[1])));
        set.appendChild(label);
      });
      form.appendChild(set);
    });
    form.appendChild(button(t("submit"), submit, { primary: true }));
    body.appendChild(form);
  }

  function go(target) {
    if (target < 0 || target >= total) { return; }
    page = target;
    if (state.visited.indexOf(page) < 0) { state.visited.push(page); }
    save();
    render();
    say(t("page", { n: page + 1, total: total }));
  }

  function submit() {
    var correct = 0;
    var stamp = new Date().toISOString().slice(0, 19);
    data.questions.forEach(function (question) {
      var answer = state.answers[question.id] || "";
      var right = answer === question.correct;
      if (right) { correct += 1; }
      var n = "cmi.interactions." + scorm.get("cmi.interactions._count", "cmi.interactions._count") + ".";
      if (!tracked) { return; }
      scorm.set(n + "id", n + "id", question.id);
      scorm.set(n + "type", n + "type", "choice");
      scorm.set(n + "time", null, stamp.slice(11));
      scorm.set(null, n + "timestamp", stamp);
      scorm.set(null, n + "description", local(question.text));
      scorm.set(n + "correct_responses.0.pattern", n + "correct_responses.0.pattern", question.correct);
      scorm.set(n + "student_response", n + "learner_response", answer || "none");
      scorm.set(n + "result", n + "result", right ? "correct" : (v2004 ? "incorrect" : "wrong"));
      scorm.set(n + "weighting", n + "weighting", "1");
    });
    var max = data.questions.length;
    var passing = passingScore();
    var passed = passing === null ? null : correct / max >= passing;
    // SCORM 1.2 scores are percentages (the mastery score is one); 2004 keeps the count.
    scorm.set("cmi.core.score.min", "cmi.score.min", "0");
    scorm.set("cmi.core.score.max", "cmi.score.max", v2004 ? String(max) : "100");
    scorm.set("cmi.core.score.raw", "cmi.score.raw", v2004 ? String(correct) : String(Math.round(100 * correct / max)));
    scorm.set(null, "cmi.score.scaled", (correct / max).toFixed(4));
    scorm.set(null, "cmi.completion_status", "completed");
    if (passed !== null) { scorm.set(null, "cmi.success_status", passed ? "passed" : "failed"); }
    scorm.set("cmi.core.lesson_status", null, passed === null ? "completed" : (passed ? "passed" : "failed"));
    state.submitted = true;
    save();
    say(t("score", { raw: correct, max: max }) + (passed === null ? "" : " " + t(passed ? "passed" : "failed")));
  }

  function leave(suspend) {
    if (finished) { return; }
    finished = true;
    scorm.set("cmi.core.exit", "cmi.exit", suspend ? "suspend" : (v2004 ? "normal" : ""));
    scorm.set("cmi.core.session_time", "cmi.session_time", sessionTime());
    save();
    scorm.finish();
    Array.prototype.slice.call(root.querySelectorAll("button")).forEach(function (element) { element.disabled = true; });
    say((suspend ? t("saved") : t("finished")) + " " + t("done"));
  }

  if (tracked) { if (v2004) { api2004.Initialize(""); } else { api12.LMSInitialize(""); } }
  language = scorm.get("cmi.student_preference.language", "cmi.learner_preference.language").slice(0, 2) === "en" ? "en" : "fr";
  document.documentElement.lang = language;
  var entry = scorm.get("cmi.core.entry", "cmi.entry");
  try {
    var saved = JSON.parse(scorm.get("cmi.suspend_data", "cmi.suspend_data") || "null");
    if (saved && saved.visited) { state = saved; }
  } catch (error) {
    state = { visited: [0], answers: {}, submitted: false };
  }
  var location = parseInt(scorm.get("cmi.core.lesson_location", "cmi.location"), 10);
  if (location > 0 && location < total) { page = location; }
  var status = scorm.get("cmi.core.lesson_status", "cmi.completion_status");
  if (status === "not attempted" || status === "unknown") {
    scorm.set("cmi.core.lesson_status", "cmi.completion_status", "incomplete");
  }
  render();
  if (!tracked) {
    say(t("noApi"));
  } else if (entry === "resume") {
    say(t("resumed", { n: page + 1 }));
  } else {
    save();
    say(t("page", { n: page + 1, total: total }));
  }
  // A learner who closes the page leaves the attempt suspended, not lost.
  window.addEventListener("pagehide", function () { leave(true); });
}());
