// A small self-hosted reader of /openapi.json with a "try it" box per endpoint; used for /docs
// when swagger-ui-dist is not installed. DOM APIs only (textContent), no inline script, no eval.
(function () {
  "use strict";

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (attrs) Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function resolve(spec, schema) {
    if (schema && schema.$ref) {
      var name = schema.$ref.split("/").pop();
      return spec.components.schemas[name];
    }
    return schema || {};
  }

  function typeOf(spec, s) {
    s = resolve(spec, s);
    if (s.anyOf) return s.anyOf.map(function (x) { return typeOf(spec, x); }).join(" | ");
    if (s.enum) return s.enum.map(JSON.stringify).join(" | ");
    if (s.const !== undefined) return JSON.stringify(s.const);
    if (s.type === "array") return (s.items ? typeOf(spec, s.items) : "any") + "[]";
    return s.type || "object";
  }

  function example(spec, schema) {
    var s = resolve(spec, schema), out = {};
    (s.required || []).forEach(function (name) {
      var p = resolve(spec, s.properties[name]);
      var t = typeOf(spec, p);
      out[name] = name === "text" ? "x^2 y + sin(xy)" : t.indexOf("number") === 0 ? 0.1 :
        t.indexOf("integer") === 0 ? 1 : t.indexOf("object") >= 0 ? {x: 1, y: 1} : "x";
    });
    return out;
  }

  function endpoint(spec, path, method, op) {
    var sec = el("section", null, {id: (method + path).replace(/\W+/g, "-")});
    var h = el("h2");
    h.appendChild(el("span", method, {"class": "method"}));
    h.appendChild(el("code", path));
    sec.appendChild(h);
    if (op.summary) sec.appendChild(el("p", op.summary));
    if (op.description) sec.appendChild(el("p", op.description));
    var body = op.requestBody && op.requestBody.content &&
      op.requestBody.content["application/json"];
    var schema = body ? resolve(spec, body.schema) : null;
    if (schema && schema.properties) {
      var table = el("table"), head = el("tr");
      ["field", "type", "default", "required", "description"].forEach(function (c) {
        head.appendChild(el("th", c, {scope: "col"}));
      });
      table.appendChild(head);
      Object.keys(schema.properties).forEach(function (name) {
        var p = schema.properties[name], tr = el("tr");
        tr.appendChild(el("td", name));
        tr.appendChild(el("td", typeOf(spec, p)));
        tr.appendChild(el("td", p["default"] === undefined ? "" : JSON.stringify(p["default"])));
        tr.appendChild(el("td", (schema.required || []).indexOf(name) >= 0 ? "yes" : ""));
        tr.appendChild(el("td", p.description || ""));
        table.appendChild(tr);
      });
      sec.appendChild(table);
    }
    var label = el("label", "Request body (JSON) for " + path, {"for": "body" + path});
    var area = el("textarea", JSON.stringify(schema ? example(spec, schema) : {}, null, 2),
                  {id: "body" + path});
    var button = el("button", "Send " + method.toUpperCase() + " " + path, {type: "button"});
    var out = el("pre", "", {"aria-live": "polite"});
    button.addEventListener("click", function () {
      out.textContent = "…";
      var init = {method: method.toUpperCase(), headers: {"Content-Type": "application/json"}};
      if (method !== "get") init.body = area.value;
      fetch(path, init).then(function (r) {
        return r.text().then(function (t) {
          var shown = t;
          try { shown = JSON.stringify(JSON.parse(t), null, 2); } catch (e) { /* as is */ }
          out.textContent = r.status + " " + r.statusText + "\n" + shown;
        });
      }).catch(function (e) { out.textContent = String(e); });
    });
    if (method !== "get") { sec.appendChild(label); sec.appendChild(area); }
    sec.appendChild(button);
    sec.appendChild(out);
    return sec;
  }

  fetch("/openapi.json").then(function (r) { return r.json(); }).then(function (spec) {
    var main = document.getElementById("endpoints");
    main.textContent = "";
    if (spec.info && spec.info.description) main.appendChild(el("p", spec.info.description));
    Object.keys(spec.paths).forEach(function (path) {
      Object.keys(spec.paths[path]).forEach(function (method) {
        main.appendChild(endpoint(spec, path, method, spec.paths[path][method]));
      });
    });
  }).catch(function (e) {
    document.getElementById("endpoints").textContent = "Could not load /openapi.json: " + e;
  });
})();
