package integration

import "github.com/twmb/franz-go/pkg/kmsg"

// Requests of the authorization matrix, one per API that needs more than a
// line; each names mTopic, mGroup or mTxn.

func reqProduce(e *aclEnv) kmsg.Request {
	r := kmsg.NewPtrProduceRequest()
	r.Acks, r.TimeoutMillis = 1, 5000
	r.Topics = []kmsg.ProduceRequestTopic{{Topic: mTopic, TopicID: e.topicID, Partitions: []kmsg.ProduceRequestTopicPartition{{Partition: 0}}}}
	return r
}

func reqFetch(e *aclEnv) kmsg.Request {
	r := kmsg.NewPtrFetchRequest()
	r.MaxBytes = 1 << 20
	p := kmsg.NewFetchRequestTopicPartition()
	p.PartitionMaxBytes = 1 << 20
	r.Topics = []kmsg.FetchRequestTopic{{Topic: mTopic, TopicID: e.topicID, Partitions: []kmsg.FetchRequestTopicPartition{p}}}
	return r
}

func reqListOffsets(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrListOffsetsRequest()
	p := kmsg.NewListOffsetsRequestTopicPartition()
	p.Timestamp = -1
	r.Topics = []kmsg.ListOffsetsRequestTopic{{Topic: mTopic, Partitions: []kmsg.ListOffsetsRequestTopicPartition{p}}}
	return r
}

func reqMetadata(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrMetadataRequest()
	r.Topics = []kmsg.MetadataRequestTopic{{Topic: kmsg.StringPtr(mTopic)}}
	return r
}

func reqOffsetCommit(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrOffsetCommitRequest()
	r.Group, r.Generation = mGroup, -1
	r.Topics = []kmsg.OffsetCommitRequestTopic{{Topic: mTopic, Partitions: []kmsg.OffsetCommitRequestTopicPartition{{Partition: 0, Offset: 1}}}}
	return r
}

func reqOffsetFetch(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrOffsetFetchRequest()
	r.Group = mGroup
	r.Groups = []kmsg.OffsetFetchRequestGroup{{Group: mGroup}}
	return r
}

func reqFindCoordinator(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrFindCoordinatorRequest()
	r.CoordinatorKey, r.CoordinatorKeys = mGroup, []string{mGroup}
	return r
}

func reqJoinGroup(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrJoinGroupRequest()
	r.Group, r.ProtocolType, r.SessionTimeoutMillis, r.RebalanceTimeoutMillis = mGroup, "consumer", 10000, 10000
	r.Protocols = []kmsg.JoinGroupRequestProtocol{{Name: "range", Metadata: []byte{0, 0}}}
	return r
}

func reqCreateTopics(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrCreateTopicsRequest()
	r.ValidateOnly, r.TimeoutMillis = true, 5000
	t := kmsg.NewCreateTopicsRequestTopic()
	t.Topic, t.NumPartitions, t.ReplicationFactor = "acl-new", 1, 1
	r.Topics = []kmsg.CreateTopicsRequestTopic{t}
	return r
}

func reqDeleteRecords(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrDeleteRecordsRequest()
	r.TimeoutMillis = 5000
	r.Topics = []kmsg.DeleteRecordsRequestTopic{{Topic: mTopic, Partitions: []kmsg.DeleteRecordsRequestTopicPartition{{Partition: 0, Offset: 0}}}}
	return r
}

func reqOffsetForLeaderEpoch(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrOffsetForLeaderEpochRequest()
	p := kmsg.NewOffsetForLeaderEpochRequestTopicPartition()
	r.Topics = []kmsg.OffsetForLeaderEpochRequestTopic{{Topic: mTopic, Partitions: []kmsg.OffsetForLeaderEpochRequestTopicPartition{p}}}
	return r
}

func reqAddPartitionsToTxn(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrAddPartitionsToTxnRequest()
	r.TransactionalID = mTxn
	r.Topics = []kmsg.AddPartitionsToTxnRequestTopic{{Topic: mTopic, Partitions: []int32{0}}}
	r.Transactions = []kmsg.AddPartitionsToTxnRequestTransaction{{TransactionalID: mTxn, VerifyOnly: true,
		Topics: []kmsg.AddPartitionsToTxnRequestTransactionTopic{{Topic: mTopic, Partitions: []int32{0}}}}}
	return r
}

func reqWriteTxnMarkers(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrWriteTxnMarkersRequest()
	r.Markers = []kmsg.WriteTxnMarkersRequestMarker{{ProducerID: 1, Topics: []kmsg.WriteTxnMarkersRequestMarkerTopic{{Topic: mTopic, Partitions: []int32{0}}}}}
	return r
}

func reqTxnOffsetCommit(e *aclEnv) kmsg.Request {
	r := kmsg.NewPtrTxnOffsetCommitRequest()
	r.TransactionalID, r.Group, r.ProducerID, r.ProducerEpoch = mTxn, mGroup, 1, 0
	r.Topics = []kmsg.TxnOffsetCommitRequestTopic{{Topic: mTopic, TopicID: e.topicID, Partitions: []kmsg.TxnOffsetCommitRequestTopicPartition{{Partition: 0, Offset: 1}}}}
	return r
}

func reqCreateACLs(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrCreateACLsRequest()
	r.Creations = []kmsg.CreateACLsRequestCreation{{ResourceType: 2, ResourceName: "x", ResourcePatternType: 3,
		Principal: "User:nobody", Host: "*", Operation: 3, PermissionType: 3}}
	return r
}

func reqDeleteACLs(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrDeleteACLsRequest()
	r.Filters = []kmsg.DeleteACLsRequestFilter{{ResourceType: 2, ResourcePatternType: 1, Principal: kmsg.StringPtr("User:nobody"), Operation: 1, PermissionType: 1}}
	return r
}

func reqDescribeConfigs(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrDescribeConfigsRequest()
	r.Resources = []kmsg.DescribeConfigsRequestResource{{ResourceType: kmsg.ConfigResourceTypeTopic, ResourceName: mTopic}}
	return r
}

func reqAlterConfigs(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrAlterConfigsRequest()
	r.ValidateOnly = true
	r.Resources = []kmsg.AlterConfigsRequestResource{{ResourceType: kmsg.ConfigResourceTypeTopic, ResourceName: mTopic}}
	return r
}

func reqIncrementalAlterConfigs(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrIncrementalAlterConfigsRequest()
	r.ValidateOnly = true
	r.Resources = []kmsg.IncrementalAlterConfigsRequestResource{{ResourceType: kmsg.ConfigResourceTypeTopic, ResourceName: mTopic}}
	return r
}

func reqAlterReplicaLogDirs(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrAlterReplicaLogDirsRequest()
	r.Dirs = []kmsg.AlterReplicaLogDirsRequestDir{{Dir: "/nonexistent", Topics: []kmsg.AlterReplicaLogDirsRequestDirTopic{{Topic: mTopic, Partitions: []int32{0}}}}}
	return r
}

func reqCreatePartitions(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrCreatePartitionsRequest()
	r.ValidateOnly, r.TimeoutMillis = true, 5000
	r.Topics = []kmsg.CreatePartitionsRequestTopic{{Topic: mTopic, Count: 2}}
	return r
}

func reqAlterSCRAM(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrAlterUserSCRAMCredentialsRequest()
	r.Deletions = []kmsg.AlterUserSCRAMCredentialsRequestDeletion{{Name: "nobody", Mechanism: 1}}
	return r
}

func reqDescribeProducers(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrDescribeProducersRequest()
	r.Topics = []kmsg.DescribeProducersRequestTopic{{Topic: mTopic, Partitions: []int32{0}}}
	return r
}

func reqConsumerGroupHeartbeat(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrConsumerGroupHeartbeatRequest()
	r.Group, r.MemberID, r.MemberEpoch, r.RebalanceTimeoutMillis = mGroup, "m-acl", 0, 10000
	r.SubscribedTopicNames = []string{mTopic}
	return r
}
