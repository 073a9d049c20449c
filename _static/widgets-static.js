// The book's saved widgets (lstm_book.widgets.slider_frames) drawn without a kernel and without the
// ipywidgets HTML manager (1.57 MB for the nine simple models the book uses).
//
// A page with widgets carries their saved state in one
// <script type="application/vnd.jupyter.widget-state+json"> and marks each displayed widget with a
// <script type="application/vnd.jupyter.widget-view+json">{"model_id": ...}</script>. On
// DOMContentLoaded each view script is replaced by the widget it names:
//   VBox            a column of its children             (div.jupyter-widgets.widget-vbox)
//   Stack           its children, only the selected one shown
//   Image           an <img> of its saved bytes (png/webp), at its width
//   HTML            its value (the book's own output, trusted)
//   SelectionSlider a native <input type="range"> with its name and the selected option's label
//   Link            (jslink) keeps two models' properties equal: a slider's index and a stack's
//                   selected_index, so moving a slider flips the frames
//   Layout, HTMLStyle, SliderStyle: read by the views above
// A model of any other type is drawn as nothing (reported with console.info).
(function () {
  "use strict";

  var STATE = "application/vnd.jupyter.widget-state+json";
  var VIEW = "application/vnd.jupyter.widget-view+json";
  var PREFIX = "IPY_MODEL_";

  // A model: its saved state and the functions called when one of its properties changes.
  function Model(id, spec) {
    this.id = id;
    this.name = spec.model_name;
    this.state = spec.state || {};
    this.listeners = {};
    var state = this.state;
    (spec.buffers || []).forEach(function (b) {  // binary values (an image's bytes), base64 in the page
      if (b.path && b.path.length === 1 && b.encoding === "base64") {
        state[b.path[0]] = { base64: b.data };
      }
    });
  }
  Model.prototype.get = function (key) { return this.state[key]; };
  Model.prototype.set = function (key, value) {
    if (this.state[key] === value) return;  // also ends the round trip of a two-way link
    this.state[key] = value;
    (this.listeners[key] || []).forEach(function (f) { f(value); });
  };
  Model.prototype.on = function (key, f) { (this.listeners[key] = this.listeners[key] || []).push(f); };

  function ref(models, value) {  // "IPY_MODEL_<id>" -> the model
    return typeof value === "string" && value.indexOf(PREFIX) === 0 ? models[value.slice(PREFIX.length)] : null;
  }

  function children(models, model) {
    var list = model.get("children") || [];
    if (typeof list === "string") list = list.match(/IPY_MODEL_[0-9a-f]+/g) || [];
    return list.map(function (c) { return ref(models, c); });
  }

  // The layout model's set properties (width: "100%", max_width, ...) as inline CSS.
  function applyLayout(models, model, el) {
    var layout = ref(models, model.get("layout"));
    if (!layout) return;
    Object.keys(layout.state).forEach(function (key) {
      var value = layout.state[key];
      if (key.charAt(0) !== "_" && typeof value === "string" && value !== "") {
        el.style.setProperty(key.replace(/_/g, "-"), value);
      }
    });
  }

  function div(classes) {
    var el = document.createElement("div");
    el.className = classes;
    return el;
  }

  var nextId = 0;
  var VIEWS = {
    VBoxModel: function (models, model) {
      var el = div("jupyter-widgets widget-container widget-box widget-vbox");
      children(models, model).forEach(function (child) { append(el, render(models, child)); });
      return el;
    },

    StackModel: function (models, model) {
      var el = div("jupyter-widgets widget-container widget-box widget-stack");
      var views = children(models, model).map(function (child) { return append(el, render(models, child)); });
      function show(index) {
        views.forEach(function (v, i) { if (v) v.style.display = i === index ? "" : "none"; });
      }
      show(model.get("selected_index"));
      model.on("selected_index", show);
      return el;
    },

    ImageModel: function (models, model) {
      var img = document.createElement("img");
      img.className = "jupyter-widgets widget-image";
      var value = model.get("value");
      var format = model.get("format") || "png";
      if (value && value.base64) img.src = "data:image/" + format + ";base64," + value.base64;
      if (model.get("width")) img.setAttribute("width", model.get("width"));
      if (model.get("height")) img.setAttribute("height", model.get("height"));
      img.alt = "";  // a frame of the figure the slider above it explores; its text is in the chapter
      return img;
    },

    HTMLModel: function (models, model) {
      var el = div("jupyter-widgets widget-inline-hbox widget-html");
      var content = div("widget-html-content");
      content.innerHTML = model.get("value") || "";
      model.on("value", function (v) { content.innerHTML = v || ""; });
      el.appendChild(content);
      return el;
    },

    SelectionSliderModel: function (models, model) {
      var labels = model.get("_options_labels") || [];
      var id = "widget-slider-" + (nextId++);
      var el = div("jupyter-widgets widget-inline-hbox widget-slider widget-hslider");
      var label = document.createElement("label");
      label.className = "widget-label";
      label.htmlFor = id;
      label.textContent = model.get("description") || "";
      var input = document.createElement("input");
      input.type = "range";
      input.id = id;
      input.className = "widget-range";
      input.min = "0";
      input.max = String(Math.max(labels.length - 1, 0));
      input.step = "1";
      input.disabled = !!model.get("disabled");
      var readout = document.createElement("output");
      readout.className = "widget-readout";
      readout.htmlFor = id;
      readout.setAttribute("aria-hidden", "true");  // the input's aria-valuetext already says it
      if (model.get("readout") === false) readout.style.display = "none";
      function show(index) {
        input.value = String(index);
        input.setAttribute("aria-valuetext", labels[index] !== undefined ? String(labels[index]) : "");
        readout.textContent = labels[index] !== undefined ? labels[index] : "";
      }
      show(model.get("index") || 0);
      input.addEventListener("input", function () { model.set("index", Number(input.value)); });
      model.on("index", show);
      el.appendChild(label);
      el.appendChild(input);
      el.appendChild(readout);
      return el;
    }
  };
  var DATA_ONLY = { LayoutModel: 1, HTMLStyleModel: 1, SliderStyleModel: 1, LinkModel: 1, DirectionalLinkModel: 1 };

  function append(parent, child) {
    if (child) parent.appendChild(child);
    return child;
  }

  var reported = {};
  function unknown(model) {
    var name = model ? model.name : "a missing model";
    if (!reported[name]) {
      reported[name] = true;
      console.info("widgets-static.js: " + name + " is not drawn (no view for it in this page)");
    }
    return null;
  }

  function render(models, model) {
    var view = model && VIEWS[model.name];
    if (!view) return unknown(model);
    var el = view(models, model);
    // A slider spans the column whatever width its layout saved (an older notebook saved 420px).
    if (el && model.name !== "SelectionSliderModel") applyLayout(models, model, el);
    return el;
  }

  // jslink: the target follows the source, and the source the target (a two-way link);
  // jsdlink (DirectionalLinkModel): the target follows the source only.
  function connect(models) {
    Object.keys(models).forEach(function (id) {
      var link = models[id];
      if (link.name !== "LinkModel" && link.name !== "DirectionalLinkModel") return;
      var source = link.get("source") || [], target = link.get("target") || [];
      var from = ref(models, source[0]), to = ref(models, target[0]);
      if (!from || !to) return unknown(null);
      from.on(source[1], function (v) { to.set(target[1], v); });
      if (link.name === "LinkModel") to.on(target[1], function (v) { from.set(source[1], v); });
    });
  }

  function start() {
    var models = {};
    document.querySelectorAll('script[type="' + STATE + '"]').forEach(function (script) {
      var saved = JSON.parse(script.textContent).state || {};
      Object.keys(saved).forEach(function (id) { models[id] = new Model(id, saved[id]); });
    });
    Object.keys(models).forEach(function (id) {
      var m = models[id];
      if (!VIEWS[m.name] && !DATA_ONLY[m.name]) unknown(m);
    });
    connect(models);
    document.querySelectorAll('script[type="' + VIEW + '"]').forEach(function (script) {
      var id = JSON.parse(script.textContent).model_id;
      var el = render(models, models[id]);
      if (!el) return;
      var area = div("widget-subarea");  // the wrapper the ipywidgets manager puts around a view
      area.appendChild(el);
      script.parentNode.insertBefore(area, script);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
