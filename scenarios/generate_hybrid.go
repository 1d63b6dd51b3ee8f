package scenarios

// hubRequests are the hub world's paths, for generated scenarios about
// transit gateways, VPN and endpoints. They are drawn only for those
// topics, so that the seeds of the other topics keep giving the scenarios
// they gave.
var hubRequests = []request{
	{"hub", "app-1", "http://api.corp.internal:8080/", "the web tier on app-1"},
	{"hub", "app-2", "http://api.corp.internal:8080/", "the web tier on app-2"},
	{"hub", "office-pc", "http://10.20.2.10:8080/", "the office"},
	{"hub", "dc-db", "http://10.20.2.10:8080/", "the data centre's batch jobs on dc-db"},
	{"hub", "api-1", "https://s3.us-east-1.amazonaws.com/", "the API on api-1"},
	{"hub", "api-1", "https://secretsmanager.us-east-1.amazonaws.com/", "the API on api-1"},
}

// requestPool is the requests a generated scenario about topic draws from.
func requestPool(topic string) []request {
	if topic == TopicTransit || topic == TopicEndpoint {
		return hubRequests
	}
	return requests
}

func init() {
	topicHints[TopicTransit] = "Past a VPC's route table the transit gateway routes by the table associated with the attachment the packet entered by: show tgw-route-table, show attachment, show vpn."
	topicHints[TopicEndpoint] = "A gateway endpoint needs a route to its prefix list; an interface endpoint has security groups and, with private DNS, answers the service's name inside its VPC: show endpoint, dig NAME."
}

// hubOnlyTopic: kinds of these topics apply to the hub world only, whose
// requests are drawn only when the topic is asked for; left out of an
// untargeted draw, they leave the other seeds' scenarios as they were.
func hubOnlyTopic(topic string) bool { return topic == TopicTransit || topic == TopicEndpoint }
