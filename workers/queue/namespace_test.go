package queue

import "testing"

// Every queue a deployment's workers serve is one OfDeployment recognises as its own, and none of
// another deployment's is.
func TestOfDeploymentKnowsEveryQueue(t *testing.T) {
	for name := range NamesOf("tinh-a").Weights() {
		if !OfDeployment("tinh-a", name) {
			t.Errorf("queue %q of tinh-a is not recognised as tinh-a's", name)
		}
		if OfDeployment("tinh", name) || OfDeployment("tinh-a-b", name) {
			t.Errorf("queue %q of tinh-a is taken for another deployment's", name)
		}
	}
}
