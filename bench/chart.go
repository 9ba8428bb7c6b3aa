package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
)

// Chart geometry in pixels; the width grows with the number of groups.
const (
	chartH      = 460
	plotLeft    = 90
	plotTop     = 86
	plotBottom  = chartH - 70
	fontScale   = 2
	minGroupW   = 64
	minChartW   = 720
	labelMinBar = 34 // narrower bars get no value label
)

var (
	white     = color.RGBA{255, 255, 255, 255}
	black     = color.RGBA{30, 30, 30, 255}
	gridGray  = color.RGBA{225, 225, 225, 255}
	barColors = []color.RGBA{{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255}}
)

// barGroup is one cluster of bars, one bar per target, with a label of
// up to two lines below it.
type barGroup struct {
	Label  string
	Label2 string
	Values []float64
}

// chart is a grouped bar chart.
type chart struct {
	Title, Subtitle string
	Names           []string // one per bar in a group (the legend)
	Groups          []barGroup
}

// writeCharts draws the throughput and latency charts.
func (rep report) writeCharts() error {
	sub := fmt.Sprintf("%s per phase, median of %d run(s), %s", rep.Settings.Duration, rep.Settings.Runs, rep.Machine.Commit)
	tp := chart{Title: "throughput per scenario, MB/s (higher is better)", Subtitle: sub, Names: rep.names()}
	lat := chart{Title: "p99 latency per scenario, ms (lower is better)", Subtitle: sub + "; produce: send to ack; e2e: send to consumer", Names: rep.names()}
	for _, sc := range rep.scenarios() {
		tp.Groups = append(tp.Groups, rep.group(sc.short(), sc.Mode.String(), sc, phaseMBps))
		switch sc.Mode {
		case modeProduce:
			lat.Groups = append(lat.Groups, rep.group(sc.short(), "produce", sc, p99))
		case modeBoth:
			lat.Groups = append(lat.Groups, rep.group(sc.short(), "both", sc, p99), rep.group(sc.short(), "both e2e", sc, e2e99))
		}
	}
	if err := savePNG(rep.Charts[0], tp.draw()); err != nil {
		return err
	}
	return savePNG(rep.Charts[1], lat.draw())
}

// group is one bar group: f of scenario sc for every target.
func (rep report) group(l1, l2 string, sc scenario, f func(phaseResult) float64) barGroup {
	g := barGroup{Label: l1, Label2: l2}
	for _, tr := range rep.Results {
		g.Values = append(g.Values, tr.phase(sc, f))
	}
	return g
}

func savePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("bench: chart: %w", err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("bench: chart: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("bench: chart: %w", err)
	}
	return nil
}

// width is the chart's width in pixels.
func (c chart) width() int { return max(minChartW, plotLeft+30+len(c.Groups)*minGroupW) }

// draw renders the chart with a y axis, a legend and labels.
func (c chart) draw() *image.RGBA {
	w := c.width()
	right := w - 30
	img := image.NewRGBA(image.Rect(0, 0, w, chartH))
	fill(img, img.Bounds(), white)
	drawText(img, (w-textWidth(c.Title, fontScale))/2, 12, c.Title, fontScale, black)
	drawText(img, (w-textWidth(c.Subtitle, 1))/2, 34, c.Subtitle, 1, black)
	top, step := axisScale(c.Groups)
	drawYAxis(img, right, top, step)
	drawLegend(img, right, c.Names)
	groupW := (right - plotLeft) / max(len(c.Groups), 1)
	scale := fontScale
	for _, g := range c.Groups {
		if textWidth(g.Label, fontScale) > groupW-4 || textWidth(g.Label2, fontScale) > groupW-4 {
			scale = 1
		}
	}
	for gi, g := range c.Groups {
		x0 := plotLeft + gi*groupW
		drawGroup(img, g, x0, groupW, top)
		drawText(img, x0+(groupW-textWidth(g.Label, scale))/2, plotBottom+12, g.Label, scale, black)
		drawText(img, x0+(groupW-textWidth(g.Label2, scale))/2, plotBottom+14+glyphH*scale+4, g.Label2, scale, black)
	}
	return img
}

// drawGroup draws one group's bars centred in [x0, x0+width).
func drawGroup(img *image.RGBA, g barGroup, x0, width int, top float64) {
	barW := width / (len(g.Values) + 1)
	x := x0 + (width-barW*len(g.Values))/2
	for i, v := range g.Values {
		h := int(v / top * float64(plotBottom-plotTop))
		fill(img, image.Rect(x+1, plotBottom-h, x+barW-1, plotBottom), barColors[i%len(barColors)])
		if barW >= labelMinBar {
			label := fmt.Sprintf("%.0f", v)
			drawText(img, x+(barW-textWidth(label, 1))/2, plotBottom-h-10, label, 1, black)
		}
		x += barW
	}
}

// drawYAxis draws grid lines and labels from 0 to top every step, and the axes.
func drawYAxis(img *image.RGBA, right int, top, step float64) {
	for i := 0; float64(i)*step <= top+step/2; i++ {
		v := float64(i) * step
		y := plotBottom - int(v/top*float64(plotBottom-plotTop))
		fill(img, image.Rect(plotLeft, y, right, y+1), gridGray)
		label := fmt.Sprintf("%g", v)
		drawText(img, plotLeft-10-textWidth(label, fontScale), y-glyphH*fontScale/2, label, fontScale, black)
	}
	fill(img, image.Rect(plotLeft-1, plotTop, plotLeft+1, plotBottom+1), black)
	fill(img, image.Rect(plotLeft-1, plotBottom, right, plotBottom+2), black)
}

// drawLegend draws a colour box and name per target, top right.
func drawLegend(img *image.RGBA, right int, names []string) {
	x := right
	for i := len(names) - 1; i >= 0; i-- {
		x -= textWidth(names[i], fontScale) + 30
		fill(img, image.Rect(x, 52, x+14, 66), barColors[i%len(barColors)])
		drawText(img, x+20, 52, names[i], fontScale, black)
	}
}

// axisScale picks a round axis top and tick step (1, 2 or 5 times a power
// of ten) so that about five ticks cover the largest value.
func axisScale(groups []barGroup) (top, step float64) {
	maxV := 0.0
	for _, g := range groups {
		for _, v := range g.Values {
			maxV = max(maxV, v)
		}
	}
	if maxV <= 0 {
		return 1, 0.2
	}
	raw := maxV * 1.15 / 5
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * pow
	for _, m := range []float64{1, 2, 5} {
		if m*pow >= raw {
			step = m * pow
			break
		}
	}
	return math.Ceil(maxV*1.15/step) * step, step
}

func fill(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}
