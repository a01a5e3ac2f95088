// "Preview" of the Markdown fields in the Wagtail admin (courses/markdown_preview.py).
//
// Each textarea[data-markdown-preview] gets a disclosure button; opening it posts
// the text to the server, which renders it through the site's own Markdown
// pipeline (sanitised by nh3), and shows the result below the field, updated as
// the trainer types. StreamField blocks and chooser modals add fields later: a
// MutationObserver equips them too. Loaded as a file (the site's CSP).
(function () {
  "use strict";

  var DELAY = 400; // ms of quiet typing before the preview is refreshed
  var counter = 0;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input && input.value) return input.value;
    var config = document.getElementById("wagtail-config");
    if (config) {
      try {
        return JSON.parse(config.textContent).CSRF_TOKEN || "";
      } catch (error) {
        /* fall through to the cookie */
      }
    }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // The server's HTML is already sanitised; it is parsed inert (a template's
  // content runs nothing and loads nothing) and anything active is dropped again
  // before it enters the admin's page.
  var DROPPED = "script,style,iframe,frame,object,embed,img,svg,math,form,link,meta,base,audio,video,source,button,textarea,select";
  var SAFE_URL = /^(https?:|mailto:|#)/i;

  function inertFragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var content = template.content;
    content.querySelectorAll(DROPPED).forEach(function (node) {
      node.remove();
    });
    content.querySelectorAll("*").forEach(function (node) {
      Array.prototype.slice.call(node.attributes).forEach(function (attribute) {
        var name = attribute.name.toLowerCase();
        if (name.indexOf("on") === 0 || name === "style" || name === "srcdoc") {
          node.removeAttribute(attribute.name);
        } else if ((name === "href" || name === "src") && !SAFE_URL.test(attribute.value.trim())) {
          node.removeAttribute(attribute.name);
        }
      });
      if (node.tagName === "INPUT" && node.type !== "checkbox") node.remove();
      if (node.tagName === "INPUT") node.disabled = true;
      if (node.tagName === "A") {
        var href = node.getAttribute("href") || "";
        if (href.charAt(0) === "#") node.removeAttribute("href"); // footnotes
        else if (href) node.setAttribute("target", "_blank");
      }
      // Footnote and heading ids must not collide with the editor's own ids.
      if (node.id) node.removeAttribute("id");
    });
    return content;
  }

  function equip(textarea) {
    if (textarea.dataset.markdownPreviewReady) return;
    textarea.dataset.markdownPreviewReady = "true";
    counter += 1;
    var id = (textarea.id || "markdown-field-" + counter) + "-preview";
    var data = textarea.dataset;

    var wrapper = document.createElement("div");
    wrapper.className = "markdown-preview";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-small button-secondary markdown-preview__toggle";
    button.textContent = data.markdownPreviewShow;
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", id);
    var panel = document.createElement("div");
    panel.id = id;
    panel.className = "markdown-preview__panel";
    panel.hidden = true;
    panel.setAttribute("role", "region");
    panel.setAttribute("aria-label", data.markdownPreviewLabel);
    var problems = document.createElement("ul");
    problems.className = "markdown-preview__problems";
    problems.hidden = true;
    var output = document.createElement("div");
    output.className = "markdown-preview__output prose";
    output.setAttribute("aria-live", "polite");
    panel.appendChild(problems);
    panel.appendChild(output);
    wrapper.appendChild(button);
    wrapper.appendChild(panel);
    textarea.insertAdjacentElement("afterend", wrapper);

    var timer = null;
    var sent = 0;

    function show(result) {
      output.replaceChildren(inertFragment(result.html || ""));
      problems.replaceChildren();
      (result.problems || []).forEach(function (text) {
        var item = document.createElement("li");
        item.textContent = text;
        problems.appendChild(item);
      });
      problems.hidden = !problems.children.length;
    }

    function failed(message) {
      var paragraph = document.createElement("p");
      paragraph.className = "markdown-preview__error";
      paragraph.textContent = message || data.markdownPreviewFailed;
      output.replaceChildren(paragraph);
      problems.hidden = true;
    }

    function refresh() {
      var number = ++sent;
      panel.setAttribute("aria-busy", "true");
      fetch(data.markdownPreview, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
        body: new URLSearchParams({ text: textarea.value }),
      })
        .then(function (response) {
          return response
            .json()
            .catch(function () {
              return {};
            })
            .then(function (result) {
              if (number !== sent) return; // a newer request is on its way
              if (response.ok) show(result);
              else failed(result.error);
            });
        })
        .catch(function () {
          if (number === sent) failed();
        })
        .finally(function () {
          if (number === sent) panel.removeAttribute("aria-busy");
        });
    }

    function setOpen(open) {
      panel.hidden = !open;
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.textContent = open ? data.markdownPreviewHide : data.markdownPreviewShow;
      if (open) refresh();
    }

    button.addEventListener("click", function () {
      setOpen(panel.hidden);
    });
    textarea.addEventListener("input", function () {
      if (panel.hidden) return;
      clearTimeout(timer);
      timer = setTimeout(refresh, DELAY);
    });
  }

  function equipAll(root) {
    if (root.matches && root.matches("textarea[data-markdown-preview]")) equip(root);
    if (root.querySelectorAll) {
      root.querySelectorAll("textarea[data-markdown-preview]").forEach(equip);
    }
  }

  function start() {
    equipAll(document);
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        mutation.addedNodes.forEach(function (node) {
          if (node.nodeType === 1) equipAll(node);
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (window.__markdownPreviewStarted) return; // media can be included twice
  window.__markdownPreviewStarted = true;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
