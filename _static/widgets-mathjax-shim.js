// The ipywidgets HTML manager typesets labels through the MathJax 2 API (MathJax.Hub.Queue,
// jupyter-widgets/ipywidgets#3829); the book serves MathJax 3. Forward the old call to the new one.
(function () {
  var hub = {
    Queue: function () {
      if (window.MathJax && window.MathJax.typesetPromise) {
        window.MathJax.typesetPromise().catch(function () {});
      }
    }
  };
  function attach() {
    if (window.MathJax && !window.MathJax.Hub) { window.MathJax.Hub = hub; }
  }
  attach();  // MathJax 3 replaces window.MathJax when it starts, so attach again afterwards
  document.addEventListener("DOMContentLoaded", attach);
  window.addEventListener("load", attach);
})();
