package adjacency

import "sync"

type Graph struct {
	Graph         map[string][]string
	Name          string
	AverageDegree float64
}

// Graphs returns the adjacency graphs by name, built on the first call
// (wardkey: not at package init).
var Graphs = sync.OnceValue(func() map[string]*Graph {
	gs := make(map[string]*Graph)
	for name, data := range map[string]map[string][]string{
		"qwerty": adjacencyGraphQwerty(), "dvorak": adjacencyGraphDvorak(),
		"keypad": adjacencyGraphKeypad(), "mac_keypad": adjacencyGraphMacKeypad(),
	} {
		gs[name] = &Graph{Name: name, Graph: data, AverageDegree: calculateAvgDegree(data)}
	}
	return gs
})

func calculateAvgDegree(g map[string][]string) float64 {
	var avg float64
	for _, value := range g {
		for _, chars := range value {
			if chars != "" {
				avg += float64(1)
			}
		}

	}

	return avg / float64(len(g))
}
