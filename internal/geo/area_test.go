package geo

import "testing"

// TestAreaCell: the area of a point is the level-10 cell that holds its
// report cell; points a few km apart can share it, cities apart do not.
func TestAreaCell(t *testing.T) {
	la, nyc := Point{Lat: 34.0901, Lon: -118.4065}, Point{Lat: 40.7506, Lon: -73.9972}
	a := AreaCell(la)
	if CellLevel(a) != AreaLevel || !ValidCell(a) {
		t.Fatalf("AreaCell level %d, want %d", CellLevel(a), AreaLevel)
	}
	if AreaCell(nyc) == a {
		t.Error("Los Angeles and New York share an area")
	}
	if c := SnapCell(la); c < a-(a&-a)+1 || c > a+(a&-a)-1 {
		t.Error("the report cell is not inside its area cell")
	}
}
