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

// Chart geometry in pixels.
const (
	chartW, chartH = 720, 420
	plotLeft       = 90
	plotRight      = chartW - 30
	plotTop        = 86
	plotBottom     = chartH - 60
	fontScale      = 2
)

var (
	white     = color.RGBA{255, 255, 255, 255}
	black     = color.RGBA{30, 30, 30, 255}
	gridGray  = color.RGBA{225, 225, 225, 255}
	barColors = []color.RGBA{{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}}
)

// barGroup is one cluster of bars, one bar per target.
type barGroup struct {
	Label  string
	Values []float64
}

// writeChart draws the median produce and consume MB/s of every target as
// a PNG.
func writeChart(path, subtitle string, results []series) error {
	groups := []barGroup{{Label: "produce"}, {Label: "consume"}}
	var names []string
	for _, s := range results {
		names = append(names, s.Target.Name)
		groups[0].Values = append(groups[0].Values, s.median(produceMBps))
		groups[1].Values = append(groups[1].Values, s.median(consumeMBps))
	}
	img := drawBarChart("throughput, MB/s (higher is better)", subtitle, names, groups)
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

// drawBarChart draws a grouped bar chart with a y axis, a legend and the
// value above each bar.
func drawBarChart(title, subtitle string, names []string, groups []barGroup) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, chartW, chartH))
	fill(img, img.Bounds(), white)
	drawText(img, (chartW-textWidth(title, fontScale))/2, 12, title, fontScale, black)
	drawText(img, (chartW-textWidth(subtitle, 1))/2, 34, subtitle, 1, black)
	top, step := axisScale(groups)
	drawYAxis(img, top, step)
	drawLegend(img, names)
	groupW := (plotRight - plotLeft) / len(groups)
	for gi, g := range groups {
		x0 := plotLeft + gi*groupW
		drawGroup(img, g, x0, groupW, top)
		drawText(img, x0+(groupW-textWidth(g.Label, fontScale))/2, plotBottom+16, g.Label, fontScale, black)
	}
	return img
}

// drawGroup draws one group's bars centred in [x0, x0+width).
func drawGroup(img *image.RGBA, g barGroup, x0, width int, top float64) {
	barW := width / (len(g.Values) + 2)
	x := x0 + (width-barW*len(g.Values))/2
	for i, v := range g.Values {
		h := int(v / top * float64(plotBottom-plotTop))
		fill(img, image.Rect(x+4, plotBottom-h, x+barW-4, plotBottom), barColors[i%len(barColors)])
		label := fmt.Sprintf("%.1f", v)
		drawText(img, x+(barW-textWidth(label, fontScale))/2, plotBottom-h-20, label, fontScale, black)
		x += barW
	}
}

// drawYAxis draws grid lines and labels from 0 to top every step, and the axes.
func drawYAxis(img *image.RGBA, top, step float64) {
	for i := 0; float64(i)*step <= top+step/2; i++ {
		v := float64(i) * step
		y := plotBottom - int(v/top*float64(plotBottom-plotTop))
		fill(img, image.Rect(plotLeft, y, plotRight, y+1), gridGray)
		label := fmt.Sprintf("%g", v)
		drawText(img, plotLeft-10-textWidth(label, fontScale), y-glyphH*fontScale/2, label, fontScale, black)
	}
	fill(img, image.Rect(plotLeft-1, plotTop, plotLeft+1, plotBottom+1), black)
	fill(img, image.Rect(plotLeft-1, plotBottom, plotRight, plotBottom+2), black)
}

// drawLegend draws a colour box and name per target, top right.
func drawLegend(img *image.RGBA, names []string) {
	x := plotRight
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
