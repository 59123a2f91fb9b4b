/* Every file upload of the site (attachments, imports, the holiday notice):
   - a file larger than the input's data-max-bytes (the server's limit) is refused here,
     before anything is sent, with the input's data-too-big message;
   - the form is sent with XMLHttpRequest so that a <progress> shows how much of the file
     has gone (a photo on a phone takes a while); the answer replaces the page as a normal
     post would. Without JavaScript (or XMLHttpRequest) the form posts as it always did,
     and the server checks the size in any case;
   - a form marked data-submit-once (the import pages) disables its button on submit, so a
     second click posts nothing twice. */
(function () {
  "use strict";

  function humanSize(bytes) {
    if (bytes >= 1024 * 1024) { return (bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, "") + " MB"; }
    if (bytes >= 1024) { return Math.round(bytes / 1024) + " KB"; }
    return bytes + " B";
  }

  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : all;
    });
  }

  function note(input, cls) {
    var id = input.id ? input.id + "-" + cls : "";
    var existing = input.parentNode.querySelector("." + cls);
    if (existing) { return existing; }
    var el = document.createElement("p");
    el.className = cls;
    if (id) { el.id = id; }
    input.parentNode.insertBefore(el, input.nextSibling);
    return el;
  }

  /* The message of the first file over the limit, or "" when every file fits. */
  function tooBig(input) {
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    if (!max || !input.files) { return ""; }
    for (var i = 0; i < input.files.length; i += 1) {
      var file = input.files[i];
      if (file.size > max) {
        return fill(input.getAttribute("data-too-big"), { name: file.name, size: humanSize(file.size), max: humanSize(max) });
      }
    }
    return "";
  }

  function check(input) {
    var message = tooBig(input);
    var box = note(input, "upload-refused");
    box.textContent = message;
    box.hidden = !message;
    if (message) {
      box.setAttribute("role", "alert");
      input.setAttribute("aria-invalid", "true");
    } else {
      input.removeAttribute("aria-invalid");
    }
    return !message;
  }

  function buttons(form) {
    return form.querySelectorAll("button[type='submit'], button:not([type]), input[type='submit']");
  }

  function setBusy(form, busy) {
    Array.prototype.forEach.call(buttons(form), function (button) { button.disabled = busy; });
  }

  function send(form, input, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    var bar = document.createElement("progress");
    bar.className = "upload-progress";
    bar.max = 100;
    bar.value = 0;
    var label = document.createElement("p");
    label.className = "upload-status muted";
    label.setAttribute("aria-live", "polite");
    label.textContent = fill(input.getAttribute("data-uploading"), { percent: 0 });
    form.appendChild(bar);
    form.appendChild(label);
    setBusy(form, true);
    var xhr = new XMLHttpRequest();
    xhr.open((form.getAttribute("method") || "post").toUpperCase(), form.action || window.location.href);
    xhr.upload.onprogress = function (event) {
      if (!event.lengthComputable) { return; }
      var percent = Math.floor(100 * event.loaded / event.total);
      bar.value = percent;
      label.textContent = fill(input.getAttribute("data-uploading"), { percent: percent });
    };
    xhr.onload = function () {
      // The answer is the page a normal post would show (after its redirect, if any).
      var url = xhr.responseURL || form.action;
      document.open();
      document.write(xhr.responseText);
      document.close();
      if (url && window.history && window.history.replaceState) { window.history.replaceState(null, "", url); }
    };
    xhr.onerror = xhr.ontimeout = xhr.onabort = function () {
      bar.parentNode.removeChild(bar);
      label.textContent = input.getAttribute("data-upload-failed") || "";
      label.setAttribute("role", "alert");
      setBusy(form, false);
    };
    xhr.send(data);
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input && input.matches && input.matches("input[type='file'][data-max-bytes]")) { check(input); }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || form.tagName !== "FORM") { return; }
    var inputs = form.querySelectorAll("input[type='file'][data-max-bytes]");
    var chosen = null;
    for (var i = 0; i < inputs.length; i += 1) {
      if (!check(inputs[i])) {
        event.preventDefault();
        inputs[i].focus();
        return;
      }
      if (!chosen && inputs[i].files && inputs[i].files.length) { chosen = inputs[i]; }
    }
    if (chosen && window.FormData && window.XMLHttpRequest && "upload" in new XMLHttpRequest()) {
      event.preventDefault();
      send(form, chosen, event.submitter);
      return;
    }
    if (form.hasAttribute("data-submit-once")) {
      // After the browser has taken the form's data (a disabled button would not be sent).
      window.setTimeout(function () { setBusy(form, true); }, 0);
    }
  });
}());
