package importer

// awsKeys are the top-level keys of the AWS CLI outputs the importer reads.
var awsKeys = map[string]string{}

// AWS imports AWS CLI output.
func AWS(files []File) (*Result, error) { return nil, inputErr("aws", "not yet") }
