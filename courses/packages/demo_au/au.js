/* A small cmi5 AU (Atelier's demo package): the AU side of cmi5, by hand.
   Reads the launch parameters, fetches its auth token, reads LMS.LaunchData
   and the learner's language, resumes at the page it saved, sends initialized,
   completed / passed / failed and terminated, then returns to the LMS. */
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var endpoint = params.get("endpoint");
  var actor = JSON.parse(params.get("actor") || "{}");
  var registration = params.get("registration");
  var activityId = params.get("activityId");
  var content = window.AU_CONTENT;
  var auth = null, launchData = null, lang = "fr", page = 0, started = Date.now();
  var LOCATION = "https://atelier.example/demo/location";

  function uuid() {
    return ([1e7] + -1e3 + -4e3 + -8e3 + -1e11).replace(/[018]/g, function (c) {
      return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }
  function xapi(method, path, query, body) {
    var url = endpoint + path + (query ? "?" + new URLSearchParams(query) : "");
    return fetch(url, {
      method: method,
      headers: { "Authorization": auth, "X-Experience-API-Version": "1.0.3", "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
  }
  function stateQuery(id) {
    return { activityId: activityId, agent: JSON.stringify(actor), registration: registration, stateId: id };
  }
  function send(verb, result, moveOn) {
    var context = JSON.parse(JSON.stringify(launchData.contextTemplate));
    context.registration = registration;
    context.contextActivities.category = [{ id: "https://w3id.org/xapi/cmi5/context/categories/cmi5" }];
    if (moveOn) { context.contextActivities.category.push({ id: "https://w3id.org/xapi/cmi5/context/categories/moveon" }); }
    var statement = {
      id: uuid(), actor: actor, verb: { id: verb, display: { "en-US": verb.split("/").pop() } },
      object: { objectType: "Activity", id: activityId }, context: context, timestamp: new Date().toISOString()
    };
    if (result) { statement.result = result; }
    return xapi("POST", "statements", null, [statement]);
  }
  function duration() { return "PT" + ((Date.now() - started) / 1000).toFixed(2) + "S"; }
  function text(key) { return content.texts[lang][key]; }
  function saveLocation() { return xapi("PUT", "activities/state", stateQuery(LOCATION), { page: page }); }

  function render() {
    var pages = content.pages[lang], main = document.getElementById("au");
    main.textContent = "";
    document.documentElement.lang = lang;
    var h1 = document.createElement("h1"); h1.textContent = content.title[lang]; main.appendChild(h1);
    if (page < pages.length) {
      var h2 = document.createElement("h2"); h2.textContent = pages[page].title; main.appendChild(h2);
      pages[page].paragraphs.forEach(function (p) { var el = document.createElement("p"); el.textContent = p; main.appendChild(el); });
      var status = document.createElement("p"); status.className = "page";
      status.textContent = text("page") + " " + (page + 1) + " / " + pages.length; main.appendChild(status);
      button(main, text("next"), "next", function () { page += 1; saveLocation().then(finishIfRead); });
    } else if (content.quiz) {
      quiz(main);
    }
  }
  function finishIfRead() {
    if (page >= content.pages[lang].length && !content.quiz) {
      send("http://adlnet.gov/expapi/verbs/completed", { completion: true, duration: duration() }, true).then(finish);
    } else { render(); }
  }
  function quiz(main) {
    var form = document.createElement("form");
    content.quiz[lang].forEach(function (question, index) {
      var fieldset = document.createElement("fieldset"), legend = document.createElement("legend");
      legend.textContent = question.prompt; fieldset.appendChild(legend);
      question.choices.forEach(function (choice, choiceIndex) {
        var label = document.createElement("label"), input = document.createElement("input");
        input.type = "radio"; input.name = "q" + index; input.value = choiceIndex;
        label.appendChild(input); label.appendChild(document.createTextNode(" " + choice));
        fieldset.appendChild(label); fieldset.appendChild(document.createElement("br"));
      });
      form.appendChild(fieldset);
    });
    button(form, text("submit"), "submit", null);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var right = 0;
      content.quiz[lang].forEach(function (question, index) {
        var checked = form.querySelector("input[name=q" + index + "]:checked");
        if (checked && Number(checked.value) === question.answer) { right += 1; }
      });
      var scaled = right / content.quiz[lang].length;
      var passed = scaled >= (launchData.masteryScore || 0);
      var verb = passed ? "http://adlnet.gov/expapi/verbs/passed" : "http://adlnet.gov/expapi/verbs/failed";
      send(verb, { success: passed, score: { scaled: scaled }, duration: duration() }, true).then(function () {
        var p = document.createElement("p"); p.className = "result";
        p.textContent = text(passed ? "passed" : "failed") + " (" + Math.round(scaled * 100) + " %)";
        main.appendChild(p);
        if (passed) { finish(); }
      });
    });
    main.appendChild(form);
  }
  function button(parent, label, name, onclick) {
    var b = document.createElement("button"); b.type = onclick ? "button" : "submit";
    b.textContent = label; b.name = name; if (onclick) { b.addEventListener("click", onclick); }
    parent.appendChild(b);
  }
  function finish() {
    send("http://adlnet.gov/expapi/verbs/terminated", { duration: duration() }).then(function () {
      window.location.href = launchData.returnURL;
    });
  }
  fetch(params.get("fetch"), { method: "POST" })
    .then(function (r) { return r.json(); })
    .then(function (token) {
      if (!token["auth-token"]) { throw new Error(token["error-text"]); }
      auth = "Basic " + token["auth-token"];
      return xapi("GET", "activities/state", stateQuery("LMS.LaunchData"));
    })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      launchData = data;
      return xapi("GET", "agents/profile", { agent: JSON.stringify(actor), profileId: "cmi5LearnerPreferences" });
    })
    .then(function (r) { return r.ok ? r.json() : {}; })
    .then(function (prefs) {
      lang = (prefs.languagePreference || "fr").slice(0, 2) === "en" ? "en" : "fr";
      return xapi("GET", "activities/state", stateQuery(LOCATION));
    })
    .then(function (r) { return r.ok ? r.json() : { page: 0 }; })
    .then(function (saved) {
      page = saved.page || 0;
      return send("http://adlnet.gov/expapi/verbs/initialized");
    })
    .then(render)
    .catch(function (error) {
      document.getElementById("au").textContent = "cmi5: " + error.message;
    });
}());
