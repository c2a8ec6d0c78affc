// Package objtree reads a Fyne canvas's object tree as Fyne's own painters and event
// handling do: a widget holds the objects of the renderer Fyne keeps for it. The
// kiosk's software renderer (screens/paint, screens/softdriver) walks it to paint and
// to find what a finger touched.
package objtree

import (
	_ "unsafe" // go:linkname

	"fyne.io/fyne/v2"
)

// Renderer returns the renderer Fyne keeps for w, made if there is none yet.
//
// Fyne reaches it through an internal package only (its test package's WidgetRenderer
// calls the same function, but that package makes a test app the current one when it
// is linked): the name is bound at link time, and the package's test checks that both
// return the same renderer, so a Fyne that renames or changes it fails the build or
// the test rather than the kiosk.
//
//go:linkname Renderer fyne.io/fyne/v2/internal/cache.Renderer
func Renderer(w fyne.Widget) fyne.WidgetRenderer

// Children returns what o holds: a container's objects, a widget's renderer's objects,
// or nothing.
func Children(o fyne.CanvasObject) []fyne.CanvasObject {
	switch t := o.(type) {
	case *fyne.Container:
		return t.Objects
	case fyne.Widget:
		if r := Renderer(t); r != nil {
			return r.Objects()
		}
	}
	return nil
}

// At returns the front-most visible object under pos (in root's parent's coordinates)
// for which match is true, and pos relative to that object; nil when there is none.
// Objects drawn later are in front, and what an object holds is in front of it. As in
// Fyne's own event handling, what an object holds is searched even beyond the
// object's size (a layout may place it there).
func At(root fyne.CanvasObject, pos fyne.Position, match func(fyne.CanvasObject) bool) (fyne.CanvasObject, fyne.Position) {
	if root == nil || !root.Visible() {
		return nil, fyne.Position{}
	}
	rel := pos.Subtract(root.Position())
	children := Children(root)
	for i := len(children) - 1; i >= 0; i-- {
		if o, p := At(children[i], rel, match); o != nil {
			return o, p
		}
	}
	size := root.Size()
	if rel.X >= 0 && rel.Y >= 0 && rel.X < size.Width && rel.Y < size.Height && match(root) {
		return root, rel
	}
	return nil, fyne.Position{}
}

// Position returns where obj stands in the coordinates of root's parent, and whether
// root holds it (or is it).
func Position(root, obj fyne.CanvasObject) (fyne.Position, bool) {
	if root == nil {
		return fyne.Position{}, false
	}
	if root == obj {
		return root.Position(), true
	}
	for _, c := range Children(root) {
		if p, ok := Position(c, obj); ok {
			return p.Add(root.Position()), true
		}
	}
	return fyne.Position{}, false
}

// Relayout lays o out again after the theme's sizes changed, as Fyne does for a new
// theme: what o holds first, innermost first, so that each container is laid out on
// the new sizes of what it holds, then o itself at its size. (Refresh alone lays a
// container out before it refreshes what it holds: on the old sizes.)
func Relayout(o fyne.CanvasObject) {
	for _, c := range Children(o) {
		Relayout(c)
	}
	switch t := o.(type) {
	case *fyne.Container:
		if t.Layout != nil {
			t.Layout.Layout(t.Objects, t.Size())
		}
	case fyne.Widget:
		if r := Renderer(t); r != nil {
			r.Layout(t.Size())
		}
	}
	o.Refresh()
}
