// Keyboard focus that cannot be missed on the widgets' controls: the book's stylesheet, shared.
import "../../book/_static/gexlib-a11y.css";
