/* The SCORM player's wrapper, on the content origin (learning/scorm/player.py).
 *
 * Creates scorm-again's run-time API where the SCO looks for it (this window:
 * the SCO is framed below, same origin), loads the attempt's CMI data from the
 * server, and sends every commit there, synchronously as SCORM expects, with
 * the session's runtime token (from this page's URL fragment, never sent to a
 * server). A commit that cannot wait (the page is being closed) goes with
 * fetch keepalive instead.
 */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("scorm-config").textContent);
  var token = window.location.hash.slice(1);
  var frame = document.getElementById("sco-frame");
  var message = document.getElementById("player-message");

  function show(text, withLink) {
    message.hidden = false;
    message.textContent = text;
    if (withLink) {
      var link = document.createElement("a");
      link.href = message.dataset.return;
      link.target = "_top"; // the lesson, on the site: leaves the player
      link.textContent = message.dataset.back;
      message.appendChild(document.createTextNode(" "));
      message.appendChild(link);
    }
  }

  function post(url, body, keepalive) {
    var text = JSON.stringify(body || {});
    if (!keepalive) {
      try {
        var xhr = new XMLHttpRequest();
        xhr.open("POST", url, false);
        xhr.setRequestHeader("Content-Type", "application/json");
        xhr.setRequestHeader("Authorization", "Bearer " + token);
        xhr.send(text);
        var reply = JSON.parse(xhr.responseText || "{}");
        reply.status = xhr.status;
        return reply;
      } catch (error) {
        // A page being closed may not send synchronously: send without waiting.
      }
    }
    fetch(url, {
      method: "POST",
      body: text,
      keepalive: true,
      headers: { "Content-Type": "application/json", "Authorization": "Bearer " + token }
    });
    return { result: "true", errorCode: 0, status: 0 };
  }

  var start = token ? post(config.data, {}) : null;
  if (!start || start.result !== "true") {
    show(message.dataset.failed, true);
    return;
  }

  var scorm12 = config.version === "scorm12";
  var API = scorm12 ? window.Scorm12API : window.Scorm2004API;
  var api = new API({
    lmsCommitUrl: config.commit,
    autocommit: true,
    autocommitSeconds: 10,
    includeCommitSequence: true,
    logLevel: 4,
    httpService: {
      processHttpRequest: function (url, params, immediate, apiLog, processListeners, metadata) {
        var reply = post(url, {
          cmi: params.cmi,
          sequence: (metadata && metadata.sequence) || params.commitSequence,
          terminate: Boolean(immediate)
        });
        if (reply.result !== "true") {
          show(message.dataset.unsaved, false);
          return { result: "false", errorCode: reply.errorCode || 101 };
        }
        return { result: "true", errorCode: 0 };
      },
      updateSettings: function () {}
    }
  });
  api.loadFromFlattenedJSON(start.values, "");
  if (scorm12) { window.API = api; } else { window.API_1484_11 = api; }

  api.on(scorm12 ? "LMSInitialize" : "Initialize", function () {
    post(config.initialize, {});
  });
  api.on(scorm12 ? "LMSFinish" : "Terminate", function () {
    // After the SCO's own code has run: it called Terminate from inside the frame.
    window.setTimeout(function () {
      frame.hidden = true;
      frame.removeAttribute("src");
      show(message.dataset.closed, true);
      if (window.parent !== window) {
        window.parent.postMessage({ type: "atelier:package-closed" }, config.site);
      }
    }, 0);
  });

  frame.src = config.sco;
  frame.hidden = false;
  if (!message.textContent.trim()) { message.hidden = true; }
}());
